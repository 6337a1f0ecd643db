/**
 * The broker config file with environment overrides: YAML/JSON, then `HOURGLASS_*` variables
 * (for secrets-free deployment knobs: a container sets the database URL or port without editing
 * the file), validated with every error as `file:line:column: field: message`.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { brokerConfigSchema, fieldName, type BrokerConfig } from './config.ts';

/** Environment variables that override a top-level config field. */
export const CONFIG_ENV: Readonly<Record<string, { field: string; number?: boolean }>> = {
  HOURGLASS_HOST: { field: 'host' },
  HOURGLASS_PORT: { field: 'port', number: true },
  HOURGLASS_PUBLIC_URL: { field: 'publicUrl' },
  HOURGLASS_DATABASE_URL: { field: 'databaseUrl' },
  HOURGLASS_DATABASE_PATH: { field: 'databasePath' },
  HOURGLASS_POLICY_PATH: { field: 'policyPath' },
  HOURGLASS_SIGNING_KEY_PATH: { field: 'signingKeyPath' },
  HOURGLASS_LOG_LEVEL: { field: 'logLevel' },
};

function positionOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): string {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node: unknown = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const { line, col } = counter.linePos(node.range[0]);
      return `${line}:${col}`;
    }
  }
  return '1:1';
}

/** Reads, overrides from `env`, and validates the config at `path`. */
export async function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: 'success'; config: BrokerConfig } | { status: 'error'; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { status: 'error', message: `${path}: cannot read the broker config file` };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = counter.linePos(yamlError.pos[0]);
    return { status: 'error', message: `${path}:${line}:${col}: not valid YAML or JSON` };
  }
  const raw: unknown = doc.toJS();
  const values: Record<string, unknown> =
    raw !== null && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {};
  const overridden = new Set<string>();
  for (const [name, { field, number }] of Object.entries(CONFIG_ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    values[field] = number ? Number(value) : value;
    overridden.add(field);
  }
  const parsed = brokerConfigSchema.safeParse(values);
  if (parsed.success) return { status: 'success', config: parsed.data };
  const lines = parsed.error.issues.map((issue) => {
    const field = fieldName(issue.path) || '(top level)';
    const top = String(issue.path[0] ?? '');
    const where = overridden.has(top)
      ? `${path} (from ${Object.keys(CONFIG_ENV).find((k) => CONFIG_ENV[k]?.field === top) ?? 'env'})`
      : `${path}:${positionOf(doc, counter, issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path)}`;
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.join(', ')}; remove them`
        : issue.message;
    return `${where}: ${field}: ${message}`;
  });
  return { status: 'error', message: lines.join('\n') };
}
