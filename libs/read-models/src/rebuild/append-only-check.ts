import type { SqlClient, SqlExecutor } from '@passerelle/database';
import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import { ensureProjection, eventsToApply, liveTables, readCheckpoint } from '../runner/catalog';
import type { AnyProjection, AppendOnlyRows } from '../runner/projection';
import { checkConsistency, type ConsistencyReport } from './consistency';
import { readRemaining } from './rebuild';

const SAMPLES = 5;

/**
 * An append-only projection (`Projection.appendOnly`) checked against its live table as the log is read,
 * without a rebuild: for each batch, the rows its events add (`select`, what `apply` inserts) are compared,
 * in the database and without writing, with the live rows of the batch's position range. The ranges
 * follow each other from the start of the log, so every live row is looked at once; rows at or below a
 * position the live checkpoint had passed never change, so no lock is needed for them. `finish` checks the
 * rest up to the live checkpoint under the checkpoint's lock (pausing the runner, as ScratchRebuild does),
 * and that no row lies past it. Memory holds one batch; nothing is written.
 */
export class AppendOnlyCheck {
  private position = 0;
  private missing = 0;
  private unexpected = 0;
  private readonly samples: Record<string, unknown>[] = [];
  /** The live generation was replaced during the pass (a rebuild): `finish` checks the new one by a rebuild. */
  private replaced = false;

  private constructor(
    private readonly client: SqlClient,
    private readonly projection: AnyProjection,
    private readonly rows: AppendOnlyRows,
    private readonly generation: number,
    /** The live checkpoint when the check started: every live row up to here is final. */
    readonly target: number,
  ) {}

  static async start(client: SqlClient, projection: AnyProjection): Promise<AppendOnlyCheck> {
    if (!projection.appendOnly) throw new Error(`${projection.name} is not append-only`);
    await ensureProjection(client, projection);
    const live = (await readCheckpoint(client, projection.name))!;
    return new AppendOnlyCheck(client, projection, projection.appendOnly, live.generation, live.position);
  }

  /** Whether `feed` still wants events after `position`. */
  get wants(): boolean {
    return !this.replaced && this.position < this.target;
  }

  /** The next events of the log, in position order, from where the last batch ended. */
  async feed(events: readonly RecordedEvent[]): Promise<void> {
    if (!this.wants || events.length === 0) return;
    const last = events[events.length - 1]!.position;
    const upTo = Math.min(last, this.target);
    const within = last <= this.target ? events : events.filter((e) => e.position <= this.target);
    try {
      await this.compare(this.client, within, upTo);
    } catch (error) {
      // A rebuild may have swapped the live tables and dropped these: `finish` then checks the new ones.
      const live = await readCheckpoint(this.client, this.projection.name);
      if (live?.generation === this.generation) throw error;
      this.replaced = true;
    }
  }

  /** Checks what is left up to the live checkpoint, under its lock. */
  async finish(store: EventStore, batchSize = 1000): Promise<ConsistencyReport> {
    while (this.wants) {
      const batch = await store.readAll({ after: this.position, maxCount: batchSize });
      if (batch.length === 0) break;
      await this.feed(batch);
    }
    for (;;) {
      if (this.replaced)
        return checkConsistency({ client: this.client, store, projection: this.projection, batchSize });
      const tail = await readRemaining(store, this.position, batchSize);
      const upTo = tail.length ? tail[tail.length - 1]!.position : this.position;
      const report = await this.client.transaction(async (tx): Promise<ConsistencyReport | null> => {
        const live = (await readCheckpoint(tx, this.projection.name, true))!;
        if (live.generation !== this.generation) {
          this.replaced = true;
          return null;
        }
        if (live.position > upTo) {
          await this.compare(tx, tail, upTo);
          return null;
        }
        await this.compare(
          tx,
          tail.filter((event) => event.position <= live.position),
          live.position,
        );
        await this.beyond(tx, live.position);
        const ok = this.missing === 0 && this.unexpected === 0;
        return {
          name: this.projection.name,
          position: live.position,
          ok,
          differences: ok
            ? []
            : [
                {
                  table: this.rows.table,
                  missing: this.missing,
                  unexpected: this.unexpected,
                  samples: this.samples,
                },
              ],
        };
      });
      if (report) return report;
    }
  }

  /** Nothing to drop: the check writes nothing. */
  drop(): Promise<void> {
    return Promise.resolve();
  }

  private get table(): string {
    return liveTables(this.projection, this.generation)[this.rows.table]!;
  }

  /**
   * The live rows with positions in (`this.position`, `upTo`] against the rows these events add (all of
   * them within that range), column by column with each type's equality, as the EXCEPT ALL of a rebuild's
   * comparison has the last word (comparing the rows' text instead costs thirty times as much).
   */
  private async compare(db: SqlExecutor, events: readonly RecordedEvent[], upTo: number): Promise<void> {
    const from = this.position;
    const selected = eventsToApply(this.projection, events, from);
    const expected = selected.length
      ? this.rows.select(selected)
      : { sql: `SELECT * FROM ${this.table} WHERE false`, params: [] };
    const n = expected.params.length;
    const differing = await db.query<{ position: string; missing: boolean; unexpected: boolean }>(
      `WITH e AS (${expected.sql}),
            l AS (SELECT * FROM ${this.table} WHERE position > $${n + 1} AND position <= $${n + 2})
       SELECT coalesce(e.position, l.position)::text AS position,
              e.position IS NOT NULL AS missing, l.position IS NOT NULL AS unexpected
         FROM e FULL JOIN l ON l.position = e.position
        WHERE ROW(e.*) IS DISTINCT FROM ROW(l.*)
        ORDER BY coalesce(e.position, l.position)`,
      [...expected.params, from, upTo],
    );
    this.count(differing);
    this.position = upTo;
  }

  /** Rows outside every range compared: past the checkpoint, or at no position of the log. */
  private async beyond(db: SqlExecutor, upTo: number): Promise<void> {
    const rows = await db.query<{ position: string }>(
      `SELECT position::text AS position FROM ${this.table} WHERE position > $1 OR position <= 0 ORDER BY position LIMIT 1000`,
      [upTo],
    );
    this.count(rows.map((row) => ({ ...row, missing: false, unexpected: true })));
  }

  private count(rows: readonly { position: string; missing: boolean; unexpected: boolean }[]): void {
    for (const row of rows) {
      if (row.missing) this.missing += 1;
      if (row.unexpected) this.unexpected += 1;
      if (this.samples.length < SAMPLES) this.samples.push({ position: Number(row.position) });
    }
  }
}
