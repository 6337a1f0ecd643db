/**
 * Runs commands through the lifecycle: read the grant, apply the pure transition, commit grant,
 * audit, effects and events in one transaction, then wake the outbox worker, the event streams and
 * the expiry scheduler. Routes and workers use this; none of them holds the query builder.
 */
import type { Grant, GrantChange } from '../../protocol/broker-api.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { Clock } from '../ports.ts';
import type { GrantRepository, GrantWrite, WebhookDelivery } from '../store/grant-repository.ts';
import { deadlineOf, type GrantRecord } from './grant-record.ts';
import { transition } from './grant-transition.ts';
import { toGrantView } from './grant-view.ts';
import type { TransitionFailure } from './transition-support.ts';
import type { Actor, GrantCommand, Transitioned } from './transition-types.ts';

/** What happens after a commit. */
export interface CommitHooks {
  eventsCommitted(lastSeq: number): void;
  effectsQueued(): void;
  /** The grant's deadline (ISO) changed to `deadline` (null: none). */
  deadlineChanged(deadline: string | null): void;
}

/** The outcome of a command. */
export type ServiceResult =
  | { ok: true; grant: GrantRecord; /** The broker's time of the transition. */ at: Date }
  | { ok: false; error: TransitionFailure };

/** What one expiry batch committed, and when the commit returned. */
export interface ExpiryBatch {
  /** How many due grants were claimed (a refused one is claimed but not written). */
  claimed: number;
  expired: GrantRecord[];
  committedAt: Date;
}

/** Dependencies of the service. */
export interface GrantServiceDeps {
  repo: GrantRepository;
  policy: Policy;
  clock: Clock;
  wipeGraceSeconds: number;
  hooks: CommitHooks;
  /**
   * The webhook deliveries a transition with these changes writes, in its own transaction (the
   * outbox carries them out); absent: none.
   */
  webhooks?: (grant: GrantRecord, changes: readonly GrantChange[], at: Date) => WebhookDelivery[];
}

const MAX_ATTEMPTS = 5;

/** The lifecycle service. */
export class GrantService {
  readonly #deps: GrantServiceDeps;

  constructor(deps: GrantServiceDeps) {
    this.#deps = deps;
  }

  /** The protocol view of a record at the broker's now. */
  view(grant: GrantRecord, now: Date = this.#deps.clock.now()): Grant {
    return toGrantView(grant, {
      policy: this.#deps.policy,
      now,
      wipeGraceSeconds: this.#deps.wipeGraceSeconds,
    });
  }

  /** Applies `command` to an existing grant, retrying when another writer got there first. */
  async apply(grantId: string, command: GrantCommand, actor: Actor): Promise<ServiceResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const grant = await this.#deps.repo.findGrant(grantId);
      const now = this.#deps.clock.now();
      if (!grant || command.kind === 'request') {
        return {
          ok: false,
          error: {
            code: 'not_found',
            message: 'no such grant; run `hourglass status` to list yours',
          },
        };
      }
      const result = transition(grant, command, this.#deps.policy, actor, now);
      if (!result.ok) return result;
      const outcome = await this.#commit(result.value, now, grant);
      if (outcome) return { ok: true, grant: outcome, at: now };
    }
    return {
      ok: false,
      error: { code: 'conflict', message: 'the grant kept changing meanwhile; try again' },
    };
  }

  /**
   * Creates a grant (`command.kind === 'request'`), re-deciding when a live grant of the role (or
   * a concurrent request) is found. `_role` is the role asked for: the store finds the live grant.
   */
  async create(
    makeCommand: (live: GrantRecord | null) => GrantCommand,
    actor: Actor & { kind: 'user' },
  ): Promise<ServiceResult | { ok: 'duplicate_key' }> {
    // Optimistic: no read first. The insert checks for a live grant in its own transaction and
    // answers it; the request is then decided again knowing it (one store round trip fewer).
    let live: GrantRecord | null = null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.#deps.clock.now();
      const result = transition(null, makeCommand(live), this.#deps.policy, actor, now);
      if (!result.ok) return result;
      const write = this.#write(result.value, now);
      const outcome = await this.#deps.repo.insert(write);
      if (outcome.status === 'duplicate_key') return { ok: 'duplicate_key' };
      if (outcome.status === 'committed') {
        this.#afterCommit(write, outcome.lastEventSeq, null);
        return { ok: true, grant: outcome.grant, at: now };
      }
      if (outcome.status === 'live_exists') live = outcome.live;
    }
    return {
      ok: false,
      error: { code: 'conflict', message: 'your grants kept changing meanwhile; try again' },
    };
  }

  /**
   * Expires up to `limit` grants due at `now` in one transaction: the pure `expire` transition
   * for each, committed in bulk (the store claims them, so replicas never expire one twice).
   */
  async expireDue(now: Date, limit: number): Promise<ExpiryBatch> {
    const { repo, policy } = this.#deps;
    const batch = await repo.commitDue(now, limit, (grant) => {
      const result = transition(grant, { kind: 'expire' }, policy, { kind: 'broker' }, now);
      return result.ok ? this.#write(result.value, now) : null;
    });
    const committedAt = this.#deps.clock.now();
    const { hooks } = this.#deps;
    if (batch.lastEventSeq !== null) hooks.eventsCommitted(batch.lastEventSeq);
    if (batch.committed.some(({ write }) => queuesWork(write))) hooks.effectsQueued();
    for (const { before, write } of batch.committed) this.#changed(write, before);
    return { claimed: batch.claimed, expired: batch.committed.map((c) => c.stored), committedAt };
  }

  #write(value: Transitioned, now: Date): GrantWrite {
    const view = this.view(value.grant, now);
    const changes = [...new Set(value.events.map((e) => e.change))];
    const webhooks =
      changes.length > 0 ? (this.#deps.webhooks?.(value.grant, changes, now) ?? []) : [];
    return {
      grant: value.grant,
      audit: value.audit,
      effects: value.effects,
      events: value.events.map((event) => ({ ...event, view })),
      ...(value.issuedToken ? { issuedToken: value.issuedToken } : {}),
      ...(webhooks.length > 0 ? { webhooks } : {}),
      at: now,
    };
  }

  async #commit(value: Transitioned, now: Date, before: GrantRecord): Promise<GrantRecord | null> {
    if (value.audit.length === 0 && value.events.length === 0 && !value.issuedToken) return before;
    const write = this.#write(value, now);
    const outcome = await this.#deps.repo.update(write, before.version, before);
    if (outcome.status !== 'committed') return null;
    this.#afterCommit(write, outcome.lastEventSeq, before);
    return outcome.grant;
  }

  #afterCommit(write: GrantWrite, lastEventSeq: number | null, before: GrantRecord | null): void {
    const { hooks } = this.#deps;
    if (lastEventSeq !== null) hooks.eventsCommitted(lastEventSeq);
    if (queuesWork(write)) hooks.effectsQueued();
    this.#changed(write, before);
  }

  /** Per committed grant: the expiry scheduler, when its deadline moved. */
  #changed(write: GrantWrite, before: GrantRecord | null): void {
    const deadline = deadlineOf(write.grant);
    if (before === null || deadlineOf(before) !== deadline)
      this.#deps.hooks.deadlineChanged(deadline);
  }
}

/** Whether a write queued outbox work (provider effects or webhook deliveries). */
function queuesWork(write: GrantWrite): boolean {
  return write.effects.length > 0 || (write.webhooks?.length ?? 0) > 0;
}
