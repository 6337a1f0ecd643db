/**
 * A throwaway sshd on 127.0.0.1 (random port) trusting a user CA, with a revocation list file and
 * per-user principals: for tests and the demo. Needs Debian's openssh-server (`/usr/sbin/sshd`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { batchSshOptions, certificateLoginOptions } from './ssh-client-options.ts';

const run = promisify(execFile);

/** Where sshd lives on Debian. */
export const SSHD_PATH = '/usr/sbin/sshd';

/** A running sshd. */
export interface SshdFixture {
  port: number;
  dir: string;
  /** The CA's private key file (OpenSSH format) and its text. */
  caKeyPath: string;
  caKeyText: string;
  /** The file sshd reads as `RevokedKeys` (write a KRL here to sync). */
  revokedPath: string;
  /** The local user logins are made as. */
  user: string;
  /** Makes a fresh ed25519 key pair with ssh-keygen; answers the private key path. */
  newKey(name: string): Promise<{ keyPath: string; publicKey: string }>;
  /** Runs `ssh … true` with the key and its certificate; true when the login worked. */
  tryLogin(keyPath: string, certPath: string): Promise<{ ok: boolean; stderr: string }>;
  /** What sshd wrote to stderr so far (refusal reasons). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = createServer();
      socket.once('error', () => resolve(true));
      socket.listen(port, '127.0.0.1', () => socket.close(() => resolve(false)));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen: ${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts sshd allowing `principals` to log in as the current user. */
export async function startSshd(principals: readonly string[]): Promise<SshdFixture> {
  if (!existsSync(SSHD_PATH))
    throw new Error('sshd is not installed: apt-get install openssh-server');
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-sshd-'));
  const user = userInfo().username;
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey')]);
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'hourglass-ca',
    '-f',
    join(dir, 'ca'),
  ]);
  mkdirSync(join(dir, 'principals'));
  writeFileSync(join(dir, 'principals', user), `${principals.join('\n')}\n`);
  const revokedPath = join(dir, 'revoked');
  writeFileSync(revokedPath, '');
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'hostkey')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `TrustedUserCAKeys ${join(dir, 'ca.pub')}`,
    `RevokedKeys ${revokedPath}`,
    `AuthorizedPrincipalsFile ${join(dir, 'principals')}/%u`,
    'AuthorizedKeysFile none',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'LogLevel VERBOSE',
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  mkdirSync('/run/sshd', { recursive: true });
  let log = '';
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  // sshd outlives a parent that exits without stopping it (Ctrl-C on the demo): not this one.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  await waitListening(port, child, () => log);
  const caKeyPath = join(dir, 'ca');
  return {
    port,
    dir,
    caKeyPath,
    caKeyText: readFileSync(caKeyPath, 'utf8'),
    revokedPath,
    user,
    newKey: async (name) => {
      const keyPath = join(dir, name);
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
      chmodSync(keyPath, 0o600);
      return { keyPath, publicKey: readFileSync(`${keyPath}.pub`, 'utf8').trim() };
    },
    tryLogin: async (keyPath, certPath) => {
      const args = [
        ...batchSshOptions(port),
        ...certificateLoginOptions(keyPath, certPath),
        `${user}@127.0.0.1`,
        'true',
      ];
      try {
        await run('ssh', args, { timeout: 10_000 });
        return { ok: true, stderr: '' };
      } catch (error) {
        return { ok: false, stderr: String((error as { stderr?: string }).stderr ?? '') };
      }
    },
    log: () => log,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
