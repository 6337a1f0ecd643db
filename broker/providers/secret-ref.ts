/** Resolves a target secret from an environment variable or a file; errors name the source only. */
import { readFile } from 'node:fs/promises';
import type { SecretRef } from './provider-definition.ts';

/** The secret's text (a trailing newline dropped). Throws naming the variable or file, never the value. */
export async function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '')
      throw new Error(`environment variable ${ref.env} is not set; export it before starting`);
    return value;
  }
  try {
    return (await readFile(ref.file, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new Error(`cannot read the secret file ${ref.file}`);
  }
}
