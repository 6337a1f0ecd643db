/**
 * How a provider kind is defined: its policy settings schema (the role's `provider` block), and
 * how it starts from broker configuration (its targets, secrets by env var or file) into a
 * `BoundProvider`. One definition per folder under broker/providers/; registry.ts lists them.
 */
import { z } from 'zod';
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import type { SigningKey } from '../credentials/signing-key.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { Clock } from '../ports.ts';
import type { GrantRepository } from '../store/grant-repository.ts';

/** A provider's policy settings: an object whose `kind` names the provider. */
export type SettingsSchema = z.ZodObject<{ kind: z.ZodLiteral<ProviderKind> } & z.ZodRawShape>;

/** A role of the policy with this provider's settings. */
export interface RoleSettings<S> {
  role: string;
  settings: S;
}

/** What a provider gets when the broker starts it. */
export interface ProviderSetup<S> {
  repo: GrantRepository;
  clock: Clock;
  signingKey: SigningKey;
  /** The broker's public URL (`iss` of what it signs). */
  publicUrl: () => string;
  /** Roles of the policy that use this provider. */
  roles: ReadonlyArray<RoleSettings<S>>;
  /** The settings of a grant's role, or null when its role left the policy. */
  settingsOf(grant: GrantRecord): S | null;
  /** The broker config's `targets` of this kind, by name, as written (the provider parses them). */
  targets: ReadonlyMap<string, unknown>;
  /** Environment to resolve `{ env: NAME }` secret references from. */
  env: NodeJS.ProcessEnv;
}

/** One provider kind. `create` throws a clear message when its configuration is unusable. */
export interface ProviderDefinition<T extends SettingsSchema> {
  readonly kind: z.output<T>['kind'];
  readonly policySchema: T;
  create(setup: ProviderSetup<z.output<T>>): Promise<BoundProvider>;
}

/** Declares a provider (keeps its settings type tied to its schema). */
export const defineProvider = <T extends SettingsSchema>(
  definition: ProviderDefinition<T>,
): ProviderDefinition<T> => definition;

/** Where a target secret comes from: an environment variable or a file (never the policy). */
export const secretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an env var name') }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** A target name in the broker config. */
export { targetNameSchema } from '../../protocol/credentials/target-name.ts';

/** Parses the targets of one provider; the error names the target and field. */
export function parseTargets<T extends z.ZodType>(
  kind: ProviderKind,
  targets: ReadonlyMap<string, unknown>,
  schema: T,
): Map<string, z.output<T>> {
  const parsed = new Map<string, z.output<T>>();
  for (const [name, raw] of targets) {
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
      throw new Error(`broker config: targets.${name} (${kind}): ${where}`);
    }
    parsed.set(name, result.data);
  }
  return parsed;
}

/** Checks that every role names a configured target; the error names role and target. */
export function requireTargets(
  kind: ProviderKind,
  roles: ReadonlyArray<RoleSettings<{ target: string }>>,
  targets: ReadonlyMap<string, unknown>,
): void {
  for (const { role, settings } of roles) {
    if (!targets.has(settings.target)) {
      throw new Error(
        `policy role ${role} uses ${kind} target "${settings.target}", which the broker config ` +
          `does not define; add it under \`targets:\` with kind ${kind}`,
      );
    }
  }
}
