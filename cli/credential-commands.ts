/**
 * Commands that hand a grant's credential to another program, never to the terminal: `exec`
 * (secrets only in the child's environment), `ssh` (key and certificate in 0600 files for the
 * session's length), `kube-credential` (kubectl's ExecCredential on stdout, for kubectl alone).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { AgentHandlers, Result } from '../protocol/index.ts';
import { displayText, fail, ok } from '../protocol/index.ts';
import { parseKubeExecInfo, type KubeExecApiVersion } from '../protocol/kube-exec-info.ts';
import { runChild } from './child-process.ts';
import { recordSshAgentKey } from './ssh-agent-record.ts';
import { credentialProcessAnswer, execCredential } from './helper-format.ts';
import type { Ctx } from './command-support.ts';
import { failed, withAgent } from './command-support.ts';
import { EXIT } from './exit-codes.ts';

type Finish = (code: number) => void;
type Vars = Record<string, string>;

/** The grant's variables as JSON from the agent (which refuses a credential about to expire). */
export async function grantVariables(
  agent: AgentHandlers,
  role: string,
  sshKey = false,
): Promise<Result<{ vars: Vars; expiresAt: string }>> {
  const exported = await agent.exportGrant({ role, shell: 'json', sshKey });
  if (!exported.ok) return exported;
  const vars = z.record(z.string(), z.string()).safeParse(JSON.parse(exported.value.script));
  if (!vars.success)
    return fail('internal', 'the agent answered the export in an unexpected shape');
  return ok({ vars: vars.data, expiresAt: exported.value.expiresAt });
}

async function execCommand(c: Ctx, agent: AgentHandlers, role: string, argv: string[]) {
  const [command, ...args] = argv;
  if (!command) {
    c.io.err('hourglass: name the command to run after --, e.g. `hourglass exec <role> -- psql`\n');
    return EXIT.usage;
  }
  const got = await grantVariables(agent, role);
  if (!got.ok) return failed(c, got);
  return runChild(command, args, { ...c.io.env, ...got.value.vars }, (m) =>
    c.io.err(`hourglass: ${m}\n`),
  );
}

/** Key and certificate in a private dir (0600 files) for `use`; removed afterwards, also on exit. */
async function withKeyFiles<T>(key: string, cert: string, use: (keyPath: string) => Promise<T>) {
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-ssh-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  try {
    writeFileSync(join(dir, 'id'), `${key.trim()}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'id-cert.pub'), `${cert}\n`, { mode: 0o600 });
    return await use(join(dir, 'id'));
  } finally {
    remove();
    process.off('exit', remove);
  }
}

/** `--agent`: into the running ssh-agent with a lifetime of the time left; prints an ssh_config block. */
async function addToSshAgent(
  c: Ctx,
  agent: AgentHandlers,
  role: string,
  v: Vars,
  expiresAt: string,
  key: string,
  cert: string,
) {
  const left = Math.floor((Date.parse(expiresAt) - Date.now()) / 1000);
  if (!c.io.env.SSH_AUTH_SOCK) {
    c.io.err('hourglass: no ssh-agent (SSH_AUTH_SOCK is unset); start one: eval "$(ssh-agent)"\n');
    return EXIT.usage;
  }
  const code = await withKeyFiles(key, cert, (keyPath) =>
    runChild('ssh-add', ['-q', '-t', String(left), keyPath], { ...c.io.env }, (m) =>
      c.io.err(`hourglass: ${m}\n`),
    ),
  );
  if (code !== 0) return code;
  c.io.err(`hourglass: ${role} key and certificate are in your ssh-agent for ${left}s\n`);
  const added = { role, expiresAt, privateKey: key, certificate: cert };
  if (!(await recordSshAgentKey(agent, c.io.env, added)))
    c.io.err('hourglass: an early revoke cannot take them out again; they stay until then\n');
  if (v.HOURGLASS_SSH_HOST) {
    // Host and port come from the broker: shown safe for the terminal (issue 18, finding 4).
    const port = v.HOURGLASS_SSH_PORT ? `\n  Port ${displayText(v.HOURGLASS_SSH_PORT)}` : '';
    const host = displayText(v.HOURGLASS_SSH_HOST);
    c.io.err(`# ~/.ssh/config\nHost ${role}\n  HostName ${host}${port}\n`);
  }
  return EXIT.ok;
}

async function sshCommand(
  c: Ctx,
  agent: AgentHandlers,
  role: string,
  argv: string[],
  useAgent: boolean,
) {
  const got = await grantVariables(agent, role, true);
  if (!got.ok) return failed(c, got);
  const v = got.value.vars;
  const key = v.HOURGLASS_SSH_PRIVATE_KEY;
  const cert = v.HOURGLASS_SSH_CERTIFICATE;
  if (!key || !cert) {
    c.io.err(`hourglass: ${role} is not an ssh role; use \`hourglass env ${role}\`\n`);
    return EXIT.usage;
  }
  if (useAgent) return addToSshAgent(c, agent, role, v, got.value.expiresAt, key, cert);
  const host = argv.length === 0 ? v.HOURGLASS_SSH_HOST : undefined;
  // The host comes from the broker: one starting with `-` would be read as an ssh option
  // (`-oProxyCommand=…` runs a command here). Refused, and `--` ends the options anyway.
  if (host?.startsWith('-')) {
    c.io.err(`hourglass: the broker named an ssh host starting with "-"; refusing to run ssh\n`);
    return EXIT.unavailable;
  }
  // Files only for this session's length.
  return withKeyFiles(key, cert, (keyPath) => {
    const port = host && v.HOURGLASS_SSH_PORT ? ['-p', v.HOURGLASS_SSH_PORT] : [];
    const options = ['-i', keyPath, '-o', `CertificateFile=${keyPath}-cert.pub`];
    const target = host ? [...port, '--', host] : argv;
    const args = [...options, '-o', 'IdentitiesOnly=yes', ...target];
    return runChild('ssh', args, { ...c.io.env }, (m) => c.io.err(`hourglass: ${m}\n`));
  });
}

async function kubeCredential(
  c: Ctx,
  agent: AgentHandlers,
  role: string,
  version: KubeExecApiVersion,
) {
  const got = await grantVariables(agent, role);
  if (!got.ok) return failed(c, got);
  const token = got.value.vars.HOURGLASS_TOKEN;
  if (!token) {
    c.io.err(`hourglass: ${role} is not a jwt role; kube-credential needs a bearer token\n`);
    return EXIT.usage;
  }
  c.io.out(execCredential(token, got.value.expiresAt, version));
  return EXIT.ok;
}

/** The AWS `credential_process` answer for `vars` (never a past Expiration). */
export function credentialProcessJson(vars: Vars, now: number): Result<string> {
  const answer = credentialProcessAnswer(vars, now);
  return answer.ok ? ok(answer.text) : fail(answer.code, answer.message);
}

async function credentialProcess(c: Ctx, agent: AgentHandlers, role: string) {
  const got = await grantVariables(agent, role);
  if (!got.ok) return failed(c, got);
  const answer = credentialProcessJson(got.value.vars, Date.now());
  if (!answer.ok) return failed(c, answer);
  c.io.out(answer.value);
  return EXIT.ok;
}

/** Registers exec, ssh, kube-credential and credential-process. */
export function registerCredentialCommands(program: Command, ctx: () => Ctx, finish: Finish): void {
  const run = (body: (c: Ctx, agent: AgentHandlers) => Promise<number>) =>
    withAgent(ctx(), (agent) => body(ctx(), agent));
  program
    .command('exec <role> [command...]')
    .description('run a command with the grant in its environment: hourglass exec <role> -- psql')
    .action(async (role: string, argv: string[]) =>
      finish(await run((c, a) => execCommand(c, a, role, argv))),
    );
  program
    .command('ssh <role> [args...]')
    .description('ssh with the grant’s certificate: hourglass ssh <role> [-- user@host …]')
    .option('--agent', 'add key and certificate to the running ssh-agent until the deadline')
    .action(async (role: string, argv: string[], opts: { agent?: boolean }) =>
      finish(await run((c, a) => sshCommand(c, a, role, argv, opts.agent === true))),
    );
  program
    .command('kube-credential <role>')
    .description('print a kubectl ExecCredential for a jwt role (use in a kubeconfig exec block)')
    .action(async (role: string) => {
      // Answer in the version the kubeconfig's exec block names (kubectl refuses any other);
      // a request that cannot be answered is refused before any agent is asked or started.
      const version = parseKubeExecInfo(ctx().io.env.KUBERNETES_EXEC_INFO);
      if (!version.ok) return finish(failed(ctx(), version));
      finish(await run((c, a) => kubeCredential(c, a, role, version.value)));
    });
  program
    .command('credential-process <role>')
    .description('print AWS credential_process JSON for an aws role (for ~/.aws/config)')
    .action(async (role: string) => finish(await run((c, a) => credentialProcess(c, a, role))));
}
