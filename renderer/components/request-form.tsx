/** The request form: role, duration, reason, ticket, checked inline before anything is sent. */
import { createContext, useContext, useEffect, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { RoleSummary } from '../../protocol/broker-api.ts';
import { formatDuration } from '../../protocol/duration.ts';
import { durationText, requestPresets } from '../request-presets.logic.ts';
import { useActions, useGrants, useRoles } from '../store-context.tsx';
import { validateDraft, type DraftErrors, type RequestDraft } from '../request-form.logic.ts';
import { draftEdited, draftSent, type RequestDraftStore } from '../stores/request-draft.ts';
import { defaultRole } from '../roles.logic.ts';
import { useView } from '../view-context.tsx';

/** Context carrying the request draft store. */
export const RequestDraftContext = createContext<RequestDraftStore | null>(null);

function useRequestDraftStore(): RequestDraftStore {
  const store = useContext(RequestDraftContext);
  if (!store) throw new Error('RequestForm needs a RequestDraftContext provider');
  return store;
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span className="field-error" id={id} role="alert">
      {text}
    </span>
  ) : null;
}

function RolePolicy({ role }: { role: RoleSummary | undefined }) {
  if (!role) return null;
  const approvals =
    role.approvalsRequired === 0
      ? 'no approval needed'
      : `${role.approvalsRequired} approval${role.approvalsRequired > 1 ? 's' : ''} from ${role.approverGroups.join(', ') || 'approvers'}`;
  return (
    <p className="muted" id="role-policy" data-testid="role-policy">
      Up to {formatDuration(role.maxDurationSeconds)} · {approvals} · reason{' '}
      {role.reasonRequired ? 'required' : 'optional'}
      {role.ticketPattern ? ` · ticket ${role.ticketPattern}` : ''}
    </p>
  );
}

/** Form asking for a grant of one role; `onRequested` runs once a request was accepted. */
export function RequestForm({ onRequested }: { onRequested?: () => void }) {
  const roles = useRoles((s) => s.roles);
  const grants = useGrants((s) => s.grants);
  const prefillCount = useView((s) => s.prefillCount);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const requestError = useGrants((s) => s.errors.request);
  const requestGrant = useActions().requestGrant;
  const selectGrant = useActions().selectGrant;
  const alreadyActive = useGrants((s) => s.alreadyActive);
  const drafts = useRequestDraftStore();
  const draft = useStore(drafts, (s) => s.draft);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [busy, setBusy] = useState(false);
  // A tray preset or link pre-fills the draft (main wires it); the user reviews it, clicks Request.
  useEffect(() => {
    if (prefillCount > 0) reasonRef.current?.focus();
  }, [prefillCount]);
  const role = draft.role || defaultRole(roles, grants);
  const selected = roles.find((r) => r.name === role);
  const update = (field: keyof RequestDraft) => (e: { target: { value: string } }) =>
    drafts.setState((s) => draftEdited(s, field, e.target.value), true);
  const setDuration = (seconds: number) =>
    drafts.setState((s) => draftEdited(s, 'duration', durationText(seconds)), true);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const check = validateDraft({ ...draft, role }, roles);
    if (check.status === 'error') {
      setErrors(check.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    const sent = await requestGrant(check.body);
    setBusy(false);
    if (!sent) return;
    drafts.setState(draftSent, true);
    onRequested?.();
  };

  return (
    <section className="panel" aria-labelledby="request-title">
      <h2 id="request-title">Request access</h2>
      <form className="request-form" noValidate onSubmit={(e) => void submit(e)}>
        <label htmlFor="request-role">Role</label>
        <select
          id="request-role"
          aria-describedby="role-error"
          value={role}
          onChange={update('role')}
          aria-invalid={Boolean(errors.role)}
        >
          {roles.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
        <FieldError id="role-error" text={errors.role} />
        <RolePolicy role={selected} />
        <label htmlFor="request-duration">Duration</label>
        {selected ? (
          <div className="presets" role="group" aria-label="Duration presets">
            {requestPresets(selected.maxDurationSeconds).map((seconds) => (
              <button
                key={seconds}
                type="button"
                className="secondary"
                aria-pressed={draft.duration === durationText(seconds)}
                onClick={() => setDuration(seconds)}
              >
                {formatDuration(seconds)}
              </button>
            ))}
          </div>
        ) : null}
        <input
          id="request-duration"
          aria-describedby="duration-error"
          value={draft.duration}
          onChange={update('duration')}
          placeholder="15m"
          aria-invalid={Boolean(errors.duration)}
        />
        <FieldError id="duration-error" text={errors.duration} />
        <label htmlFor="request-reason">Reason</label>
        <textarea
          ref={reasonRef}
          id="request-reason"
          aria-describedby="reason-error"
          value={draft.reason}
          onChange={update('reason')}
          maxLength={500}
          aria-invalid={Boolean(errors.reason)}
        />
        <FieldError id="reason-error" text={errors.reason} />
        <label htmlFor="request-ticket">Ticket</label>
        <input
          id="request-ticket"
          aria-describedby="ticket-error"
          value={draft.ticket}
          onChange={update('ticket')}
          maxLength={100}
          aria-invalid={Boolean(errors.ticket)}
        />
        <FieldError id="ticket-error" text={errors.ticket} />
        <button type="submit" disabled={busy || roles.length === 0}>
          {busy ? 'Requesting…' : 'Request'}
        </button>
        {requestError ? (
          <p className="error" role="alert" data-testid="request-error">
            {requestError}
          </p>
        ) : null}
        {alreadyActive ? (
          <button
            type="button"
            className="secondary"
            data-testid="extend-instead"
            onClick={() => selectGrant(alreadyActive.grantId)}
          >
            Extend the grant you already hold instead
          </button>
        ) : null}
      </form>
    </section>
  );
}
