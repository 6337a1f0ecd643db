/** Reads `#grant=<id>` (a notification click opening the window on a grant). Pure. */
import { grantIdSchema } from '../protocol/broker-api.ts';

/** The grant id named in a URL fragment, if any and well-formed. */
export function grantFromFragment(hash: string): string | null {
  const id = new URLSearchParams(hash.replace(/^#/, '')).get('grant');
  return id !== null && grantIdSchema.safeParse(id).success ? id : null;
}
