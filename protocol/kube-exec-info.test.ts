import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastKubeExecVersion } from '../cli/helper-format.ts';
import { parseKubeExecInfo } from './kube-exec-info.ts';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const info = (apiVersion: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive: false }, ...extra });

describe('parseKubeExecInfo: the ExecCredential version kubectl asks for', () => {
  it('answers the version kubectl asked for: v1, v1beta1; v1 when unset (a run by hand)', () => {
    expect(parseKubeExecInfo(info(V1))).toEqual({ ok: true, value: V1 });
    expect(parseKubeExecInfo(info(V1BETA1))).toEqual({ ok: true, value: V1BETA1 });
    expect(parseKubeExecInfo(undefined)).toEqual({ ok: true, value: V1 });
    expect(parseKubeExecInfo('')).toEqual({ ok: true, value: V1 });
    // With provideClusterInfo kubectl adds the cluster; still the version it asked for.
    const cluster = { server: 'https://k8s', 'certificate-authority-data': 'QUJD', config: null };
    expect(parseKubeExecInfo(info(V1BETA1, { spec: { cluster, interactive: true } }))).toEqual({
      ok: true,
      value: V1BETA1,
    });
  });

  it('hostile or malformed KUBERNETES_EXEC_INFO: refused with what to change, never echoing more than the version (escaped)', () => {
    const cases = [
      'not json',
      '{',
      '[]',
      'null',
      '"ExecCredential"',
      JSON.stringify({ apiVersion: V1 }),
      JSON.stringify({ apiVersion: V1, kind: 'Pod' }),
      JSON.stringify({ apiVersion: 7, kind: 'ExecCredential' }),
      info('client.authentication.k8s.io/v1alpha1'),
      info('\u001b]0;owned\u0007\u001b[2J'),
      info(`${'a'.repeat(500)}SECRET-TAIL`),
      info(V1, { pad: 'x'.repeat(70_000) }),
    ];
    for (const raw of cases) {
      const parsed = parseKubeExecInfo(raw);
      expect(parsed.ok, raw.slice(0, 60)).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.error.code).toBe('bad_request');
      expect(parsed.error.message).toMatch(/KUBERNETES_EXEC_INFO|kubectl asked/);
      expect(parsed.error.message).not.toContain('\u001b');
      expect(parsed.error.message).not.toContain('SECRET-TAIL');
      expect(parsed.error.message.length).toBeLessThan(300);
    }
    const unknown = parseKubeExecInfo(info('client.authentication.k8s.io/v1alpha1'));
    expect(unknown.ok ? '' : unknown.error.message).toContain(
      `"client.authentication.k8s.io/v1alpha1"; hourglass answers in ${V1} or ${V1BETA1}`,
    );
  });

  it('differential: the fast path never answers where the contract refuses, nor in another version', () => {
    const version = fc.oneof(
      fc.constantFrom(V1, V1BETA1, 'client.authentication.k8s.io/v1alpha1', '', V1.toUpperCase()),
      fc.string(),
      fc.integer(),
    );
    const raw = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({ kind: fc.constantFrom('ExecCredential', 'Pod', 7), apiVersion: version })
        .map((o) => JSON.stringify(o)),
      version.map((v) => info(v)),
    );
    fc.assert(
      fc.property(raw, (text) => {
        const fast = fastKubeExecVersion(text);
        const contract = parseKubeExecInfo(text);
        if (fast !== null) expect(contract).toEqual({ ok: true, value: fast });
        // What kubectl sends is answered by the fast path too (no detour through the full CLI).
        if (contract.ok && text !== '') expect(fast).toBe(contract.value);
      }),
      { numRuns: 2000 },
    );
  });
});
