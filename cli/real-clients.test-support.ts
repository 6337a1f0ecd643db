/**
 * Test support for the real-client tests (cli/real-clients.integration.test.ts): finding the
 * clients, running them, a recorder that stands in for the Docker engine (the docker CLI is
 * installed here, no engine), and a hostile credential planted in the agent's keychain item.
 * Never imported by production code.
 */
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { keychainScope } from '../agent/keychain-scope.ts';
import { createKeychainVault } from '../agent/keychain.vault.ts';
import { formatBucket, parseBucket } from '../agent/grant-secrets-layout.ts';

/** What a run printed and how it ended. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` with `args` in `env`. Stdin is `input` from a file (a terminal's shell reads what is
 * typed; fish's `exec fish` cannot read a socket, which is what Node's pipes are), or none.
 */
export function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<Run> {
  let stdin: number | 'ignore' = 'ignore';
  if (input !== undefined) {
    const path = join(mkdtempSync(join(tmpdir(), 'hg-stdin-')), 'input');
    writeFileSync(path, input);
    stdin = openSync(path, 'r');
  }
  return new Promise((resolve) => {
    const child = spawn(file, [...args], { env, cwd: tmpdir(), stdio: [stdin, 'pipe', 'pipe'] });
    if (typeof stdin === 'number') closeSync(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The first executable named `name` on `PATH` (or at one of `preferred`), else null. */
export function findOnPath(name: string, preferred: readonly string[] = []): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found = [...preferred, ...dirs.map((d) => join(d, name))].find((p) => existsSync(p));
  return found ?? null;
}

/**
 * A folder holding an executable `hourglass` that runs this checkout's bin/hourglass.js, so a line
 * that names `hourglass` (a copied export line, a kubeconfig, ~/.aws/config) runs the real CLI.
 */
export function hourglassOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hg-path-'));
  const bin = new URL('../bin/hourglass.js', import.meta.url).pathname;
  writeFileSync(join(dir, 'hourglass'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`, {
    mode: 0o755,
  });
  return dir;
}

/** A container-create request the docker CLI sent to the recorder. */
export interface RecordedCreate {
  Env?: string[] | null;
}

/** A stand-in Docker engine: answers `_ping`, records container creates, refuses them. */
export interface EngineRecorder {
  host: string;
  creates: RecordedCreate[];
  close(): Promise<void>;
}

/**
 * Listens on a unix socket as the Docker Engine API does. The docker CLI parses `--env-file`
 * itself and sends the result as `Env` in `POST /containers/create`; the recorder keeps that
 * body and answers an error, so no container is ever asked for.
 */
export async function startEngineRecorder(): Promise<EngineRecorder> {
  const dir = mkdtempSync(join(tmpdir(), 'hg-docker-'));
  const socket = join(dir, 'docker.sock');
  const creates: RecordedCreate[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      if (path.endsWith('/_ping')) {
        response
          .writeHead(200, { 'api-version': '1.47', ostype: 'linux', 'content-type': 'text/plain' })
          .end(request.method === 'HEAD' ? undefined : 'OK');
        return;
      }
      if (path.endsWith('/containers/create')) creates.push(JSON.parse(body) as RecordedCreate);
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: 'recorded by the test engine stand-in; nothing runs' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    creates,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}

/**
 * Rewrites the credential the agent of `dataDir` holds for `grantId` in its keychain item with
 * `change`: what a broker could hand out, so every layer after the keychain (agent, CLI, shell)
 * runs as it would for that value.
 */
export async function plantCredential(
  dataDir: string,
  grantId: string,
  change: (credential: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const vault = createKeychainVault(undefined, keychainScope(dataDir, 'default'));
  const entries = await vault.entries();
  if (!entries.ok) throw new Error(entries.error.message);
  for (const { account, secret } of entries.value) {
    const bucket = parseBucket(secret);
    const held = bucket?.get(grantId);
    if (!bucket || held === undefined) continue;
    bucket.set(grantId, JSON.stringify(change(JSON.parse(held) as Record<string, unknown>)));
    const stored = await vault.store(account, formatBucket(bucket));
    if (!stored.ok) throw new Error(stored.error.message);
    return;
  }
  throw new Error(`no keychain item holds grant ${grantId}`);
}

/** An HTTPS front for kubectl: its URL and the PEM of its self-signed certificate. */
export interface TlsFront {
  url: string;
  caPem: string;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 (a fresh self-signed P-256 certificate from openssl) that passes
 * each GET with its Authorization header to `origin` (an API that checks the bearer token) and
 * answers what it answered. kubectl hands exec-plugin tokens only to a server it reaches over TLS.
 */
export async function startTlsFront(origin: string): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'hg-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const caPem = readFileSync(cert, 'utf8');
  const server = createTlsServer({ cert: caPem, key: readFileSync(key) }, (request, response) => {
    const authorization = request.headers.authorization;
    fetch(`${origin}${request.url ?? '/'}`, {
      headers: authorization ? { authorization } : {},
    }).then(
      async (answer) =>
        response
          .writeHead(answer.status, { 'content-type': 'application/json' })
          .end(await answer.text()),
      () => response.writeHead(502).end('{"error":"the API could not be reached"}'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}
