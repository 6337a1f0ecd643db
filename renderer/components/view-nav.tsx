/** The navigation between the window's views (each a section of the page). */
import type { MouseEvent } from 'react';
import { viewNames, type ViewName } from '../view-store.ts';

const titles: Record<ViewName, string> = {
  active: 'Active',
  request: 'Request',
  approvals: 'Approvals',
  history: 'History',
  roles: 'Roles',
  settings: 'Settings',
};

/** The element id of a view's section. */
export const viewId = (view: ViewName) => `view-${view}`;

function go(event: MouseEvent, view: ViewName) {
  // The fragment carries `#grant=` / `#request=` meaning; navigation leaves it alone.
  event.preventDefault();
  const section = document.getElementById(viewId(view));
  section?.scrollIntoView({ block: 'start' });
  // Move keyboard focus with the view, so the next Tab continues inside it.
  section?.focus();
}

/** Links to each view. */
export function ViewNav() {
  return (
    <nav className="view-nav" aria-label="Views">
      {viewNames.map((view) => (
        <a key={view} href={`#${viewId(view)}`} className="nav-link" onClick={(e) => go(e, view)}>
          {titles[view]}
        </a>
      ))}
    </nav>
  );
}
