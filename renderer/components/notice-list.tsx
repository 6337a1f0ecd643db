/** Agent notices shown in the page (and offered as system notifications after a click). */
import { useState } from 'react';
import { localizeInstants } from '../local-time.logic.ts';
import { useActions, useNotices } from '../store-context.tsx';

/** The in-page notice list plus the "Enable notifications" button. */
export function NoticeList() {
  const notices = useNotices((s) => s.notices);
  const { selectGrant, dismissNotice, enableNotifications } = useActions();
  const [permission, setPermission] = useState<string | null>(null);
  return (
    <section className="notices" aria-label="Notifications" data-testid="notices">
      {permission === null ? (
        <button
          type="button"
          className="secondary"
          onClick={() => void enableNotifications().then(setPermission)}
        >
          Enable desktop notifications
        </button>
      ) : (
        <span className="muted" data-testid="notify-permission">
          Desktop notifications: {permission}
        </span>
      )}
      <div role="log" aria-live="polite">
        <ul>
          {notices.map((n) => (
            <li key={n.id} className="notice" data-testid="notice" data-kind={n.kind}>
              <button type="button" className="link" onClick={() => selectGrant(n.grantId)}>
                <strong>{localizeInstants(n.title, Date.parse(n.at))}</strong>{' '}
                <span>{localizeInstants(n.body, Date.parse(n.at))}</span>
              </button>
              <button
                type="button"
                className="secondary"
                aria-label="Dismiss"
                onClick={() => dismissNotice(n.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
