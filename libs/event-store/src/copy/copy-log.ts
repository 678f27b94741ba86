import type { EventStore, NewEvent, RecordedEvent } from '../event-store.port';

export interface CopyProgress {
  /** Source position of the last event copied (the checkpoint to resume from). */
  position: number;
  copied: number;
  /** Events found already in the target (a resumed copy re-appending its last batch). */
  alreadyThere: number;
  /** Events (copied or found) whose position in the target is not their position in the source. */
  moved: number;
}

/**
 * Makes the target's next append take this position, if it can (see sqlPositionKeeper); called
 * before each append of events at consecutive source positions starting there.
 */
export type PositionKeeper = (position: number) => Promise<void>;

export interface CopyOptions {
  /** Exclusive: resume after this source position. */
  after?: number;
  batchSize?: number;
  /** Called after every batch, once the batch is in the target: persist `position` to resume from it. */
  onProgress?: (progress: CopyProgress) => void | Promise<void>;
  /** Stop after about this many events (to split a long copy, and to test resuming). */
  stopAfter?: number;
  /** Keep every event at its source position, where the target allows it (SQL: sqlPositionKeeper). */
  keepPositions?: PositionKeeper;
}

/**
 * Copies the whole log from one store to another, keeping event ids, types, versions, data, metadata,
 * stream revisions and the global order. Every append names the exact revision it expects, so the
 * target ends up with the same streams; event ids make a repeated batch a no-op, so a copy interrupted
 * anywhere resumes from its last reported position without duplicating anything. With keepPositions
 * the events also keep their positions (what signed heads name); `moved` counts those that did not.
 */
export async function copyLog(
  source: EventStore,
  target: EventStore,
  options: CopyOptions = {},
): Promise<CopyProgress> {
  const batchSize = options.batchSize ?? 500;
  const progress: CopyProgress = { position: options.after ?? 0, copied: 0, alreadyThere: 0, moved: 0 };
  const keep = options.keepPositions;
  for (;;) {
    const batch = await source.readAll({ after: progress.position, maxCount: batchSize });
    if (batch.length === 0) return progress;
    for (const run of runsOfOneStream(batch, keep !== undefined)) {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      await keep?.(first.position);
      const result = await target.appendToStream(
        first.streamId,
        run.map(toNewEvent),
        first.revision === 0 ? 'no_stream' : first.revision - 1,
      );
      if (result.appended) progress.copied += run.length;
      else progress.alreadyThere += run.length;
      // A run's positions are consecutive in the target, and in the source when keeping them.
      if (result.position !== last.position) progress.moved += run.length;
      progress.position = last.position;
    }
    await options.onProgress?.({ ...progress });
    if (options.stopAfter !== undefined && progress.copied + progress.alreadyThere >= options.stopAfter) {
      return progress;
    }
  }
}

/** Consecutive events of the same stream go in one append (at consecutive positions, if asked). */
function runsOfOneStream(events: RecordedEvent[], consecutivePositions: boolean): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  for (const event of events) {
    const run = runs[runs.length - 1];
    const previous = run?.[run.length - 1];
    if (
      previous?.streamId === event.streamId &&
      (!consecutivePositions || event.position === previous.position + 1)
    )
      run!.push(event);
    else runs.push([event]);
  }
  return runs;
}

function toNewEvent(event: RecordedEvent): NewEvent {
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    data: event.data,
    metadata: event.metadata,
  };
}
