/** The navigation between the window's views: hash links (`#/history`), the current one marked. */
import { viewHash, viewNames, type ViewName } from '../view-route.logic.ts';

/** Each view's name in the navigation. */
export const viewTitles: Record<ViewName, string> = {
  active: 'Active',
  request: 'Request',
  approvals: 'Approvals',
  history: 'History',
  roles: 'Roles',
  settings: 'Settings',
};

/** The element id of a view. */
export const viewId = (view: ViewName) => `view-${view}`;

/** Links to each view; `current` is announced as the current page. */
export function ViewNav({
  current,
  badges,
}: {
  current: ViewName;
  badges: Partial<Record<ViewName, number>>;
}) {
  return (
    <nav className="view-nav" aria-label="Views">
      {viewNames.map((view) => {
        const count = badges[view] ?? 0;
        return (
          <a
            key={view}
            href={viewHash(view)}
            className="nav-link"
            aria-current={view === current ? 'page' : undefined}
            data-view-link={view}
          >
            {viewTitles[view]}
            {count > 0 ? (
              <span className="nav-badge" data-testid={`nav-badge-${view}`}>
                {count}
                <span className="sr-only"> waiting</span>
              </span>
            ) : null}
          </a>
        );
      })}
    </nav>
  );
}
