/** The ssh client options a non-interactive login check needs, shared by the drill and the tests. */

/** No user config, no prompts, no known-hosts file (the check trusts the host it was given). */
export function batchSshOptions(port?: number): string[] {
  return [
    '-F',
    '/dev/null',
    ...(port ? ['-p', String(port)] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
  ];
}

/** Logs in with exactly this key and certificate: no ssh-agent, no other identity. */
export function certificateLoginOptions(keyPath: string, certPath: string): string[] {
  return [
    '-i',
    keyPath,
    '-o',
    `CertificateFile=${certPath}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'LogLevel=ERROR',
  ];
}
