/** The alarm banner, on every view: grants whose access could not be removed at the target. */
import { irrevocableAlarms } from '../irrevocable.logic.ts';
import { localTime } from '../local-time.logic.ts';
import { useGrants } from '../store-context.tsx';

// The user's locale and time zone (the browser's), never raw ISO UTC.
const time = (iso: string) => localTime(iso, Date.now());

/** Shown only while some grant is marked irrevocable. */
export function IrrevocableBanner() {
  const grants = useGrants((s) => s.grants);
  const alarms = irrevocableAlarms(grants, time);
  return alarms.length > 0 ? (
    <div className="banner alarm" role="alert" data-testid="irrevocable-banner">
      {alarms.map((text) => (
        <p key={text}>{text}</p>
      ))}
    </div>
  ) : null;
}
