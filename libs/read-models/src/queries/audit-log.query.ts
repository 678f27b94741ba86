import { upcast } from '@passerelle/domain';
import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import { clampLimit } from './common';

export interface AuditFilters {
  /** The actor's subject or display name, exactly. */
  actor?: string;
  /** Any of these event types. */
  types?: string[];
  /** Recorded at or after. */
  from?: Date;
  /** Recorded at or before. */
  to?: Date;
}

/** An event of the global log as auditors see it (as `/partnerships/:id/history` shows it). */
export interface AuditEvent {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  version: number;
  storedVersion: number;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
  recordedAt: string;
  hash: string;
}

export const matchesAudit = (event: RecordedEvent, filters: AuditFilters): boolean => {
  const actor = event.metadata.actor;
  if (filters.actor && actor?.sub !== filters.actor && actor?.name !== filters.actor) return false;
  if (filters.types?.length && !filters.types.includes(event.type)) return false;
  const at = event.recordedAt.getTime();
  if (filters.from && at < filters.from.getTime()) return false;
  if (filters.to && at > filters.to.getTime()) return false;
  return true;
};

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  const current = upcast({ type: event.type, version: event.version, data: event.data });
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    type: current.type,
    version: current.version,
    storedVersion: event.version,
    data: current.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
    hash: event.hash,
  };
}

/**
 * The global log itself, filtered: read from the event store, not from a copy, so an auditor sees
 * exactly what is stored. Pages follow positions (`after`).
 */
export class AuditLogQuery {
  constructor(
    private readonly store: EventStore,
    private readonly batchSize = 500,
  ) {}

  async page(
    filters: AuditFilters,
    options: { after?: number; limit?: number },
  ): Promise<{ events: AuditEvent[]; nextAfter: number | null }> {
    const limit = clampLimit(options.limit, 1000);
    const events: AuditEvent[] = [];
    let after = options.after ?? 0;
    for (;;) {
      const batch = await this.store.readAll({ after, maxCount: this.batchSize });
      for (const event of batch) {
        after = event.position;
        if (!matchesAudit(event, filters)) continue;
        events.push(toAuditEvent(event));
        if (events.length === limit) return { events, nextAfter: after };
      }
      if (batch.length === 0) return { events, nextAfter: null };
    }
  }

  /** Every matching event, batch by batch (for exports). */
  async *all(filters: AuditFilters, after = 0): AsyncGenerator<AuditEvent> {
    for (;;) {
      const batch = await this.store.readAll({ after, maxCount: this.batchSize });
      if (batch.length === 0) return;
      for (const event of batch) if (matchesAudit(event, filters)) yield toAuditEvent(event);
      after = batch[batch.length - 1]!.position;
    }
  }
}
