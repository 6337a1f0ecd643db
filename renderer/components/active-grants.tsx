/** Active grants: live countdown on the broker's clock, Extend, Copy export command, "I'm done". */
import { useEffect, useRef, useState } from 'react';
import type { LocalGrant } from '../../protocol/agent-api.ts';
import { exportCommand } from '../../protocol/export-command.ts';
import { extendPresets, extendUnavailableReason } from '../extend-presets.logic.ts';
import { useActions, useGrants, useSession } from '../store-context.tsx';
import { Countdown } from './countdown.tsx';

function ExtendButtons({ grant }: { grant: LocalGrant }) {
  const extendGrant = useActions().extendGrant;
  const [busy, setBusy] = useState(false);
  const unavailable = extendUnavailableReason(grant.extension);
  if (grant.pendingExtension) {
    return (
      <p className="muted" data-testid="extension-pending">
        Extension of {Math.round(grant.pendingExtension.durationSeconds / 60)}m waiting for approval
      </p>
    );
  }
  if (unavailable) return <p className="muted">{unavailable}</p>;
  const run = async (seconds: number) => {
    setBusy(true);
    await extendGrant(grant.id, seconds);
    setBusy(false);
  };
  return (
    <div className="extend" role="group" aria-label={`Extend ${grant.role}`}>
      <span className="muted">
        Extend{grant.extension.requiresApproval ? ' (needs approval)' : ''}:
      </span>
      {extendPresets(grant.extension).map((p) => (
        <button
          key={p.seconds}
          type="button"
          className="secondary"
          disabled={busy}
          aria-label={`Extend by ${p.label}`}
          onClick={() => void run(p.seconds)}
        >
          +{p.label}
        </button>
      ))}
    </div>
  );
}

function GrantCard({ grant }: { grant: LocalGrant }) {
  const selected = useGrants((s) => s.selectedGrantId === grant.id);
  const endGrant = useActions().endGrant;
  const profile = useSession((s) => s.status?.profile ?? 'default');
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'center' });
  }, [selected]);
  const copy = () =>
    navigator.clipboard.writeText(exportCommand(grant.role, profile)).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  return (
    <li
      ref={ref}
      className={selected ? 'grant selected' : 'grant'}
      data-testid="grant"
      data-role={grant.role}
      data-grant-id={grant.id}
    >
      <span className="grant-role">{grant.role}</span>
      <span className="grant-reason">{grant.reason}</span>
      <Countdown
        deadline={grant.expiresAt ?? grant.createdAt}
        label={`${grant.role} expires in`}
        testId="countdown"
        totalSeconds={grant.grantedSeconds}
      />
      <span className="grant-export muted" data-testid="export-command">
        {grant.credentialStored ? 'in keychain · ' : 'not on this device · '}
        <code>{exportCommand(grant.role, profile)}</code>
      </span>
      <div className="grant-actions">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy export command
        </button>
        {copied === 'copied' ? <span role="status">Copied</span> : null}
        {copied === 'failed' ? <span role="status">Copy it from the line above</span> : null}
        <button type="button" onClick={() => void endGrant(grant.id)}>
          I&apos;m done
        </button>
      </div>
      <ExtendButtons grant={grant} />
    </li>
  );
}

/** Active grants, soonest deadline first. */
function activeGrants(grants: readonly LocalGrant[]): LocalGrant[] {
  return grants
    .filter((g) => g.status === 'active' && g.expiresAt !== null)
    .sort(
      (a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? '') || a.id.localeCompare(b.id),
    );
}

/** The active-grants panel. */
export function ActiveGrants() {
  const grants = useGrants((s) => s.grants);
  const error = useGrants((s) => s.errors.grants);
  // No clock here: the list changes with pushed snapshots (the agent pushes at each expiry);
  // only each Countdown re-renders every second.
  const active = activeGrants(grants);
  return (
    <section className="panel" aria-labelledby="grants-title" data-testid="active-grants">
      <h2 id="grants-title">Active grants</h2>
      {error ? (
        <p className="error" role="alert" data-testid="grants-error">
          {error}
        </p>
      ) : null}
      {active.length === 0 ? <p className="muted">No active grants.</p> : null}
      <ul className="grants">
        {active.map((grant) => (
          <GrantCard key={grant.id} grant={grant} />
        ))}
      </ul>
    </section>
  );
}
