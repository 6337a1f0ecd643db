// @vitest-environment happy-dom
/**
 * An old console tab whose agent or console stopped: the window says it is disconnected and how to
 * get a fresh console, instead of counting down a stopped agent's grants as if they were live.
 */
import { act } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentLink } from './console-link.logic.ts';
import { renderWindow } from './render-harness.tsx';
import { aLocalGrant, aSnapshot, at } from './test-fixtures.ts';

const linkListeners = new Set<(link: AgentLink) => void>();
const app = renderWindow({
  snapshot: aSnapshot({ grants: [aLocalGrant({ id: 'g1', expiresAt: at(900) })] }),
  mode: 'console',
  host: {
    onLink(listener) {
      linkListeners.add(listener);
      return () => void linkListeners.delete(listener);
    },
  },
});
const { container } = app;
const setLink = (link: AgentLink) => act(() => linkListeners.forEach((l) => l(link)));

beforeAll(() => app.mount());
afterAll(() => app.unmount());

describe('a console tab that lost its agent', () => {
  it('threat: a stale tab shows live countdowns of a stopped agent — it says disconnected and names `hourglass console` instead', () => {
    expect(container.querySelectorAll('.countdown').length).toBeGreaterThan(0);
    expect(container.querySelector('[data-testid="disconnected"]')).toBeNull();

    setLink('disconnected');
    const shown = container.querySelector('[data-testid="disconnected"]');
    expect(shown?.getAttribute('role')).toBe('alert');
    expect(shown?.textContent).toContain('Disconnected');
    expect(shown?.textContent).toContain('Run `hourglass console` for a fresh URL');
    expect(container.querySelectorAll('.countdown')).toHaveLength(0);
    expect(container.querySelector('[data-testid="grant"]')).toBeNull();

    // The stream came back (the agent answered again): the grants are live again.
    setLink('live');
    expect(container.querySelector('[data-testid="disconnected"]')).toBeNull();
    expect(container.querySelectorAll('.countdown').length).toBeGreaterThan(0);
  });
});
