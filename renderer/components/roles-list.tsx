/** Eligible roles with their policy, shown before anyone asks. */
import { formatDuration } from '../../protocol/duration.ts';
import type { RoleSummary } from '../../protocol/broker-api.ts';
import { useState } from 'react';
import { requestPresets } from '../request-presets.logic.ts';
import { rolesMatching } from '../roles.logic.ts';
import { useRoles } from '../store-context.tsx';

function approvalText(role: RoleSummary): string {
  if (role.approvalsRequired === 0) return 'No approval needed';
  const groups = role.approverGroups.length > 0 ? ` from ${role.approverGroups.join(', ')}` : '';
  return `${role.approvalsRequired} approval${role.approvalsRequired > 1 ? 's' : ''}${groups}`;
}

/** The extension budget in words: how many, how much in all, whether someone must approve. */
function extensionText(role: RoleSummary): string {
  const { maxCount, maxTotalSeconds, requiresApproval } = role.extension;
  if (maxCount === 0 || maxTotalSeconds === 0) return 'Not extendable';
  const approval = requiresApproval ? ', each approved like a request' : '';
  return `Up to ${maxCount} extension${maxCount === 1 ? '' : 's'}, ${formatDuration(maxTotalSeconds)} in all${approval}`;
}

/** One role's policy card. */
function RoleCard({ role }: { role: RoleSummary }) {
  return (
    <li className="role" data-testid={`role-${role.name}`}>
      <h3>{role.name}</h3>
      {role.description ? <p className="muted">{role.description}</p> : null}
      <dl className="policy">
        <dt>Provider</dt>
        <dd>{role.provider}</dd>
        <dt>Max duration</dt>
        <dd>{formatDuration(role.maxDurationSeconds)}</dd>
        <dt>Presets</dt>
        <dd>{requestPresets(role.maxDurationSeconds).map(formatDuration).join(', ')}</dd>
        <dt>Approvals</dt>
        <dd>{approvalText(role)}</dd>
        <dt>Reason</dt>
        <dd>{role.reasonRequired ? 'Required' : 'Optional'}</dd>
        <dt>Ticket</dt>
        <dd>{role.ticketPattern ? <code>{role.ticketPattern}</code> : 'Not required'}</dd>
        <dt>Extensions</dt>
        <dd data-testid={`role-extension-${role.name}`}>{extensionText(role)}</dd>
        <dt>Environment</dt>
        <dd>{role.tenant}</dd>
      </dl>
    </li>
  );
}

/** The list of roles the signed-in user may request. */
export function RolesList() {
  const allRoles = useRoles((s) => s.roles);
  const error = useRoles((s) => s.error);
  const [query, setQuery] = useState('');
  const roles = rolesMatching(allRoles, query);
  return (
    <section className="panel" aria-labelledby="roles-title">
      <h2 id="roles-title">Roles you can request</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <label htmlFor="roles-search">Search roles</label>
      <input
        id="roles-search"
        type="search"
        value={query}
        placeholder="name, description, approver group"
        onChange={(e) => setQuery(e.target.value)}
      />
      {allRoles.length === 0 && !error ? <p className="muted">No eligible roles.</p> : null}
      {allRoles.length > 0 && roles.length === 0 ? (
        <p className="muted" role="status">
          No role matches “{query}”.
        </p>
      ) : null}
      <ul className="roles">
        {roles.map((role) => (
          <RoleCard key={role.name} role={role} />
        ))}
      </ul>
    </section>
  );
}
