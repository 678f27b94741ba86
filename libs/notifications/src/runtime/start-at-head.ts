import { isDomainEventType, isPartnershipStream, PartnershipEvent, upcast } from '@passerelle/domain';
import type { EventStore, LockProvider, ProcessorCheckpoints } from '@passerelle/event-store';
import type { PlannedTimer } from '../model';
import type { PlanningContext } from '../planning/facts';
import { timersOf } from '../planning/plan-event';
import { DISPATCHER_CHECKPOINT, type NotificationStore } from '../ports/notification-store.port';
import { PLANNING_TIMES } from '../settings';
import { DISPATCHER_LOCK } from './dispatcher';

export interface StartAtHeadOptions {
  /** The log as stored (timers read no personal field). */
  events: EventStore;
  store: NotificationStore;
  checkpoints: ProcessorCheckpoints;
  /** The locks the deployment's dispatcher takes (its lease is held while the checkpoint moves). */
  locks: LockProvider;
  now: Date;
  /** Default: the service's (PLANNING_TIMES). */
  settings?: PlanningContext['settings'];
  batchSize?: number;
  /** How long to wait for a dispatcher that holds the lock before leaving it alone; default 10 s. */
  lockTimeoutMs?: number;
  onProgress?: (position: number) => void;
}

export interface StartAtHeadResult {
  /** False when the dispatcher had already followed this log (or holds its lock): nothing was changed. */
  started: boolean;
  /** The dispatcher's checkpoint now. */
  position: number;
  events: number;
  /** Timers planned: those still to come of the copied history (or due lately enough to fire). */
  timers: number;
  reason?: string;
}

/**
 * The dispatcher of a log brought in from elsewhere (`npm run copy-log`) starts at the copied head: what
 * the copied events had to send was the source's business (and history sends nothing), so no message of
 * the copied past is planned. What the source still had to do later is planned here, from the same rule
 * the dispatcher uses (timersOf): reminders of meetings still to come, signature and renewal reminders
 * not yet due (or late by less than the tolerance), and the expiry of every agreement not yet recorded
 * as expired. Timers already too late to fire are left out; each one kept is checked again when it fires
 * (fireTimer), as a timer the dispatcher planned would be.
 *
 * Only a dispatcher that never ran is moved (checkpoint 0): a target whose dispatcher already followed
 * the log is left as it is. The checkpoint is claimed under the dispatcher's lease, so a dispatcher
 * started meanwhile waits, then resumes from the head.
 */
export async function startDispatcherAtHead(options: StartAtHeadOptions): Promise<StartAtHeadResult> {
  const { events, store, checkpoints, locks } = options;
  const skipped = (position: number, reason: string): StartAtHeadResult => ({
    started: false,
    position,
    events: 0,
    timers: 0,
    reason,
  });
  const already = await checkpoints.position(DISPATCHER_CHECKPOINT);
  if (already > 0) return skipped(already, 'the dispatcher already follows this log');
  const lease = await locks.acquire(DISPATCHER_LOCK, AbortSignal.timeout(options.lockTimeoutMs ?? 10_000));
  if (!lease) return skipped(0, 'a running dispatcher holds the lock');
  try {
    const claimed = await checkpoints.claim(DISPATCHER_CHECKPOINT);
    if (claimed.position > 0) return skipped(claimed.position, 'the dispatcher already follows this log');
    const context: PlanningContext = {
      now: options.now,
      settings: { ...PLANNING_TIMES, signatureRequestDelayMs: 0, observerEmails: [], ...options.settings },
    };
    const oldest = options.now.getTime() - context.settings.lateReminderToleranceMs;
    const timers = new Map<string, PlannedTimer>();
    const expired = new Set<string>();
    let position = 0;
    let read = 0;
    for (;;) {
      const batch = await events.readAll({ after: position, maxCount: options.batchSize ?? 2000 });
      if (batch.length === 0) break;
      for (const recorded of batch) {
        if (!isPartnershipStream(recorded.streamId) || !isDomainEventType(recorded.type)) continue;
        const event = upcast(recorded) as unknown as PartnershipEvent;
        if (event.type === 'AgreementExpired') {
          expired.add(`${event.data.agreementId}|${event.data.expiresOn}`);
          continue;
        }
        for (const timer of timersOf({ id: recorded.id, position: recorded.position, event }, context)) {
          timers.set(timer.id, timer);
        }
      }
      read += batch.length;
      position = batch[batch.length - 1]!.position;
      options.onProgress?.(position);
    }
    const kept = [...timers.values()].filter((timer) => {
      const { data } = timer;
      if (data.kind === 'agreement_expiry' || data.kind === 'renewal_reminder') {
        if (expired.has(`${data.agreementId}|${data.expiresOn}`)) return false;
        if (data.kind === 'agreement_expiry') return true; // an expiry is recorded however late
      }
      return timer.dueAt.getTime() >= oldest;
    });
    for (let from = 0; from < kept.length; from += 2000) {
      await store.record([], kept.slice(from, from + 2000));
    }
    if (position > 0) await checkpoints.advance(claimed, 0, position);
    return { started: true, position, events: read, timers: kept.length };
  } finally {
    await lease.release();
  }
}
