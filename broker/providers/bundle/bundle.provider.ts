/**
 * A role bundling several entitlements: one grant issues, extends and revokes them together
 * through their own providers. A failure issuing one undoes the ones already issued (and fails
 * the whole, which the outbox or the caller retries); revocation tries every one and fails if any
 * did, so the outbox keeps at it.
 */
import type { Credential, ProviderKind } from '../../../protocol/broker-api.ts';
import type { BoundProvider, CredentialRequest } from '../../credentials/provider.ts';
import type { GrantRecord } from '../../lifecycle/grant-record.ts';
import type { ProviderSettings } from '../provider-settings.ts';

type MemberCredential = Exclude<Credential, { kind: 'bundle' }>;

/** The bundle provider over the started member providers. */
export function bundleProvider(
  members: ReadonlyMap<ProviderKind, BoundProvider>,
  policyRoles: ReadonlyArray<{ name: string; provider: ProviderSettings }>,
): BoundProvider {
  // The grant's entitlements in policy order; a role gone from the policy: every member kind.
  const parts = (grant: GrantRecord): BoundProvider[] => {
    const role = policyRoles.find((r) => r.name === grant.role)?.provider;
    const kinds =
      role?.kind === 'bundle' ? role.entitlements.map((e) => e.kind) : [...members.keys()];
    return kinds.flatMap((k) => members.get(k) ?? []).filter((p) => p.kind !== 'bundle');
  };
  const undo = async (done: BoundProvider[], grant: GrantRecord, now: Date) => {
    for (const p of done.reverse()) await p.revoke(grant, now).catch(() => undefined);
  };
  const each = async (
    grant: GrantRecord,
    now: Date,
    act: (p: BoundProvider) => Promise<void>,
  ): Promise<void> => {
    const done: BoundProvider[] = [];
    for (const p of parts(grant)) {
      try {
        await act(p);
        done.push(p);
      } catch (error) {
        await undo(done, grant, now);
        throw error;
      }
    }
  };
  return {
    kind: 'bundle',
    issue: (grant, now) => each(grant, now, (p) => p.issue(grant, now)),
    reissue: async (grant, now) => {
      for (const p of parts(grant)) await p.reissue(grant, now);
    },
    revoke: async (grant, now) => {
      const failures: string[] = [];
      for (const p of parts(grant)) {
        await p.revoke(grant, now).catch((error: unknown) => {
          failures.push(`${p.kind}: ${error instanceof Error ? error.message : 'failed'}`);
        });
      }
      if (failures.length > 0) throw new Error(failures.join('; '));
    },
    credential: async (request: CredentialRequest): Promise<Credential> => {
      const credentials: MemberCredential[] = [];
      await each(request.grant, request.now, async (p) => {
        const issued = await p.credential(request);
        if (issued.kind !== 'bundle') credentials.push(issued);
      });
      return { kind: 'bundle', credentials };
    },
    // Down when a member some bundle role uses is down, saying which (reported as `bundle`).
    health: async () => {
      const used = new Set<ProviderKind>(
        policyRoles.flatMap((r) =>
          r.provider.kind === 'bundle' ? r.provider.entitlements.map((e) => e.kind) : [],
        ),
      );
      const checks = [...members.values()].filter((p) => used.has(p.kind)).map((p) => p.health());
      const down = (await Promise.all(checks)).find((h) => h.status === 'down');
      return down
        ? { kind: 'bundle', status: 'down', detail: `${down.kind}: ${down.detail ?? 'down'}` }
        : { kind: 'bundle', status: 'ok', detail: null };
    },
    reconciliation: {
      mode: 'none',
      why: 'a bundle acts through the providers of its entitlements, which reconcile their own targets',
    },
    close: () => Promise.resolve(),
  };
}
