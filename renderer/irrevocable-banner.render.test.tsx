// @vitest-environment happy-dom
/** The irrevocable alarm in the window: on every view while a grant carries the mark, gone after. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderWindow } from './render-harness.tsx';
import { aLocalGrant, aSnapshot } from './test-fixtures.ts';
import { viewHash, viewNames } from './view-route.logic.ts';

const stuck = aLocalGrant({
  id: 'g7',
  role: 'prod-db',
  status: 'revoked',
  irrevocableAt: '2030-01-01T00:02:00.000Z',
});
const app = renderWindow({ snapshot: aSnapshot({ grants: [stuck] }) });
const banner = () => app.container.querySelector('[data-testid="irrevocable-banner"]');

beforeAll(() => app.mount());
afterAll(() => app.unmount());

describe('irrevocable alarm banner', () => {
  it('names the grant on every view, as an alert, until the mark is cleared', () => {
    for (const view of viewNames) {
      app.go(viewHash(view));
      expect(banner()?.getAttribute('role')).toBe('alert');
      expect(banner()?.textContent).toContain(
        'Access of prod-db (grant g7) could not be removed at its target',
      );
    }
    app.push(aSnapshot({ version: 2, grants: [{ ...stuck, irrevocableAt: null }] }));
    expect(banner()).toBeNull();
  });
});
