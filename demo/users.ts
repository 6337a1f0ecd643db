/** The demo IdP's user table: three people, one shared demo password. Never used outside the demo. */
import { timingSafeEqual } from 'node:crypto';

/** A demo user as the IdP knows them. */
export interface DemoUser {
  login: string;
  name: string;
  email: string;
  groups: readonly string[];
}

/** The password every demo user signs in with. */
export const DEMO_PASSWORD = 'demo';

/** The demo users, keyed by login. */
export const demoUsers: Readonly<Record<string, DemoUser>> = {
  alice: {
    login: 'alice',
    name: 'Alice Engineer',
    email: 'alice@demo.hourglass.internal',
    groups: ['engineers'],
  },
  bob: {
    login: 'bob',
    name: 'Bob Approver',
    email: 'bob@demo.hourglass.internal',
    groups: ['engineers', 'approvers'],
  },
  carol: {
    login: 'carol',
    name: 'Carol Auditor',
    email: 'carol@demo.hourglass.internal',
    groups: ['auditors'],
  },
};

/** Looks a demo user up by login; undefined when there is none. */
export function findDemoUser(login: string): DemoUser | undefined {
  return Object.hasOwn(demoUsers, login) ? demoUsers[login] : undefined;
}

/**
 * Checks a login and password. Compares the password in constant time and answers the same way
 * for an unknown login as for a wrong password, so the form cannot be used to enumerate accounts.
 */
export function authenticateDemoUser(login: string, password: string): DemoUser | undefined {
  const user = findDemoUser(login);
  const given = Buffer.from(password);
  const expected = Buffer.from(DEMO_PASSWORD);
  const match = given.length === expected.length && timingSafeEqual(given, expected);
  return user && match ? user : undefined;
}
