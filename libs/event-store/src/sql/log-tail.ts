import type { RecordedEvent } from '../event-store.port';

/** One batch of settled events strictly after `after` (readAll: a prefix of the rest of the log). */
export type ReadBatch = (after: number, maxCount: number) => Promise<RecordedEvent[]>;

/** A read of the log shared by every subscription that asks for it before it is sent. */
interface SharedRead {
  after: number;
  maxCount: number;
  sent: boolean;
  result: Promise<RecordedEvent[]>;
}

/**
 * The end of the log as this store's subscriptions last read it, shared between them. The projections
 * and the e-mail dispatcher of one process follow the same log and mostly stand at the same position:
 * woken by the same notification, each would read the same new events, and the same empty batch after
 * them. Here they read them once.
 *
 * What is kept is every event of the log in (from, to]: each read is a settled prefix of the rest of the
 * log (no later commit can insert below its last position; proof in ./migrations.ts), so a read from
 * `to` extends the range without a gap. A subscription asking for a position inside the range is
 * answered from memory; one asking for `to` joins the read about to be sent from there, or, if that
 * read was already sent when it asked, waits for it and then looks again: a shared answer never comes
 * from a read that began before its caller asked, so it is never staler than a read of its own.
 * A subscription behind the range (catching up) reads on its own; one ahead of it moves the range.
 * Events are shared between subscribers as the immutable values they are.
 */
export class LogTail {
  private events: RecordedEvent[] = [];
  private from = 0;
  private to = 0;
  /** Whether (from, to] describes anything yet. */
  private held = false;
  private pending?: SharedRead;

  constructor(
    private readonly readBatch: ReadBatch,
    /** Events kept in memory (the oldest are dropped past it). */
    private readonly keep: number,
  ) {}

  async read(after: number, maxCount: number): Promise<RecordedEvent[]> {
    for (;;) {
      if (this.held && after >= this.from && after < this.to) return this.slice(after, maxCount);
      const pending = this.pending;
      if (pending) {
        if (pending.after !== after) return this.readBatch(after, maxCount);
        if (!pending.sent) {
          pending.maxCount = Math.max(pending.maxCount, maxCount);
          return (await pending.result).slice(0, maxCount);
        }
        await pending.result.catch(() => undefined);
        continue;
      }
      if (this.held && after < this.from) return this.readBatch(after, maxCount);
      return this.share(after, maxCount);
    }
  }

  /** Starts a shared read from `after`, sent once the callers woken with this one have joined it. */
  private share(after: number, maxCount: number): Promise<RecordedEvent[]> {
    const shared: SharedRead = { after, maxCount, sent: false, result: Promise.resolve([]) };
    shared.result = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        shared.sent = true;
        return this.readBatch(after, shared.maxCount);
      })
      .then(
        (events) => {
          this.pending = undefined;
          this.keepRead(after, events);
          return events;
        },
        (error: unknown) => {
          this.pending = undefined;
          throw error;
        },
      );
    this.pending = shared;
    return shared.result.then((events) => events.slice(0, maxCount));
  }

  private keepRead(after: number, events: RecordedEvent[]): void {
    if (this.held && after === this.to) {
      for (const event of events) this.events.push(event);
    } else {
      this.events = [...events];
      this.from = after;
      this.held = true;
    }
    this.to = events.length > 0 ? events[events.length - 1]!.position : after;
    const excess = this.events.length - this.keep;
    if (excess > 0) {
      this.from = this.events[excess - 1]!.position;
      this.events = this.events.slice(excess);
    }
  }

  /** At most `maxCount` held events after `after` (which lies in [from, to)). */
  private slice(after: number, maxCount: number): RecordedEvent[] {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle]!.position <= after) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low, low + maxCount);
  }
}
