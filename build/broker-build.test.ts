/**
 * The production build: the broker and CLI bundles import only production dependencies, and the
 * image's entry command (bin/hourglass-broker.js beside dist/broker, no sources, no tsx) serves
 * /readyz — the layout the Dockerfile's final stage copies.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../broker/test-support.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

const bareImports = (file: string): string[] => [
  ...new Set(
    [
      ...readFileSync(file, 'utf8').matchAll(
        /^import\s(?:[^;]*?\sfrom\s)?"([@a-z][\w@/.:-]*)";?$|\bimport\("([@a-z][\w@/.:-]*)"\)/gm,
      ),
    ].map((m) => m[1] ?? m[2] ?? ''),
  ),
];
const packageOf = (specifier: string) =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] ?? '');

// Built into a directory of its own: the checkout's dist/ is what other tests run meanwhile.
const out = tempDir();
beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'build/bundle-broker.mjs'), '--outdir', out], {
    cwd: root,
  });
}, 60_000);

describe('production build of the broker and CLI', () => {
  it.each(['broker/main.mjs', 'cli/main.mjs'])(
    '%s imports only node built-ins and production dependencies',
    (file) => {
      const outside = bareImports(join(out, file)).filter(
        (s) =>
          !s.startsWith('node:') &&
          !builtinModules.includes(s) &&
          !(packageOf(s) in pkg.dependencies),
      );
      expect(outside).toEqual([]);
      // The scan sees the real imports (not an empty list that would pass anything).
      expect(bareImports(join(out, file))).toContain('zod');
    },
  );

  it('the entry command serves /readyz from the bundle alone (no sources, no tsx)', async () => {
    const app = tempDir();
    mkdirSync(join(app, 'bin'));
    mkdirSync(join(app, 'dist'));
    cpSync(join(root, 'bin/hourglass-broker.js'), join(app, 'bin/hourglass-broker.js'));
    cpSync(join(out, 'broker'), join(app, 'dist/broker'), { recursive: true });
    cpSync(join(root, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
    writeFileSync(join(app, 'policy.yaml'), readFileSync(join(root, 'demo/policy.yaml')));
    writeFileSync(
      join(app, 'broker.yaml'),
      [
        'issuers: [{ issuer: "http://127.0.0.1:9/", audience: "urn:hourglass:broker" }]',
        `policyPath: ${join(app, 'policy.yaml')}`,
        `databasePath: ${join(app, 'broker.sqlite')}`,
        `signingKeyPath: ${join(app, 'key.jwk')}`,
        'logLevel: warn',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      ['bin/hourglass-broker.js', 'serve', '--config', 'broker.yaml'],
      {
        cwd: app,
        env: { PATH: process.env.PATH ?? '', HOME: app },
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${String(code)}: ${err}`)));
      });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
