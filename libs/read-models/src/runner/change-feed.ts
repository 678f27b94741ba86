import { isPartnershipStream } from '@passerelle/domain';
import type { EventStore } from '@passerelle/event-store';
import type { ProjectionProgress } from './progress';

/** What a live dashboard hears: an event the read models now reflect. */
export interface ProjectedChange {
  position: number;
  type: string;
  streamId: string;
  partnershipId: string | null;
  organizationId: string | null;
}

export interface ChangeSubscription {
  close(): void;
}

/**
 * Changes once every read model has them (so a dashboard that reloads on a change sees it). Each
 * subscriber keeps its own cursor, so one resuming from `Last-Event-ID` replays what it missed.
 */
export class ChangeFeed {
  constructor(
    private readonly store: EventStore,
    private readonly progress: ProjectionProgress,
    /** Event types worth announcing (those the read models show); others only move the cursor. */
    private readonly types: ReadonlySet<string>,
    private readonly batchSize = 500,
  ) {}

  subscribe(
    onChange: (change: ProjectedChange) => void,
    options: { after?: number } = {},
  ): ChangeSubscription {
    let cursor = options.after ?? this.progress.current();
    let closed = false;
    let running: Promise<void> = Promise.resolve();
    const pump = async () => {
      while (!closed) {
        const upTo = this.progress.current();
        if (cursor >= upTo) return;
        const batch = await this.store.readAll({
          after: cursor,
          maxCount: Math.min(this.batchSize, upTo - cursor),
        });
        if (batch.length === 0) return;
        for (const event of batch) {
          if (event.position > upTo || closed) break;
          cursor = event.position;
          if (!this.types.has(event.type)) continue;
          const id = (key: string) =>
            typeof event.data[key] === 'string' ? (event.data[key] as string) : null;
          onChange({
            position: event.position,
            type: event.type,
            streamId: event.streamId,
            partnershipId: isPartnershipStream(event.streamId) ? id('partnershipId') : null,
            organizationId: id('organizationId'),
          });
        }
      }
    };
    const schedule = () => {
      running = running.then(pump).catch(() => undefined);
    };
    const stop = this.progress.onAdvance(schedule);
    schedule();
    return {
      close: () => {
        closed = true;
        stop();
      },
    };
  }
}
