import type { EventStore, NewEvent, RecordedEvent } from '../event-store.port';

export interface CopyProgress {
  /** Source position of the last event copied (the checkpoint to resume from). */
  position: number;
  copied: number;
  /** Events found already in the target (a resumed copy re-appending its last batch). */
  alreadyThere: number;
}

export interface CopyOptions {
  /** Exclusive: resume after this source position. */
  after?: number;
  batchSize?: number;
  /** Called after every batch, once the batch is in the target: persist `position` to resume from it. */
  onProgress?: (progress: CopyProgress) => void | Promise<void>;
  /** Stop after about this many events (to split a long copy, and to test resuming). */
  stopAfter?: number;
}

/**
 * Copies the whole log from one store to another, keeping event ids, types, versions, data, metadata,
 * stream revisions and the global order. Every append names the exact revision it expects, so the
 * target ends up with the same streams; event ids make a repeated batch a no-op, so a copy interrupted
 * anywhere resumes from its last reported position without duplicating anything.
 */
export async function copyLog(
  source: EventStore,
  target: EventStore,
  options: CopyOptions = {},
): Promise<CopyProgress> {
  const batchSize = options.batchSize ?? 500;
  const progress: CopyProgress = { position: options.after ?? 0, copied: 0, alreadyThere: 0 };
  for (;;) {
    const batch = await source.readAll({ after: progress.position, maxCount: batchSize });
    if (batch.length === 0) return progress;
    for (const run of runsOfOneStream(batch)) {
      const first = run[0]!;
      const result = await target.appendToStream(
        first.streamId,
        run.map(toNewEvent),
        first.revision === 0 ? 'no_stream' : first.revision - 1,
      );
      if (result.appended) progress.copied += run.length;
      else progress.alreadyThere += run.length;
      progress.position = run[run.length - 1]!.position;
    }
    await options.onProgress?.({ ...progress });
    if (options.stopAfter !== undefined && progress.copied + progress.alreadyThere >= options.stopAfter) {
      return progress;
    }
  }
}

/** Consecutive events of the same stream go in one append. */
function runsOfOneStream(events: RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  for (const event of events) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.streamId === event.streamId) last.push(event);
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
