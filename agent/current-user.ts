/** Who the broker says the signed-in user is, cached until logout. */
import type { Me, Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { BrokerClient } from './broker-client.ts';

/** The cached current user. */
export interface CurrentUser {
  fetch(): Promise<Result<Me>>;
  cached(): Me | null;
  clear(): void;
}

/** Creates the cache over `broker.getMe`. */
export function createCurrentUser(broker: Pick<BrokerClient, 'getMe'>): CurrentUser {
  let me: Me | null = null;
  return {
    async fetch() {
      const response = await broker.getMe();
      if (!response.ok) return response;
      me = response.value.me;
      return ok(me);
    },
    cached: () => me,
    clear: () => {
      me = null;
    },
  };
}
