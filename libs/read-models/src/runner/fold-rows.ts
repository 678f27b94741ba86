import type { SqlExecutor } from '@passerelle/database';
import type { ProjectedEvent, TableNames } from './projection';

/** How a projection keyed by one id loads and writes its rows. */
export interface RowFold<Row, Table extends string> {
  /** The row an event changes; null when it changes none. */
  keyOf(event: ProjectedEvent): string | null;
  /** Pure: the row after the event (null: still no row). */
  evolve(row: Row | null, event: ProjectedEvent): Row | null;
  load(tx: SqlExecutor, tables: TableNames<Table>, keys: string[]): Promise<Map<string, Row>>;
  save(tx: SqlExecutor, tables: TableNames<Table>, rows: Row[]): Promise<void>;
}

/** Applies a batch as a fold: each touched row is loaded once, evolved through its events, written once. */
export async function foldRows<Row, Table extends string>(
  tx: SqlExecutor,
  tables: TableNames<Table>,
  events: readonly ProjectedEvent[],
  fold: RowFold<Row, Table>,
): Promise<void> {
  const keys = [
    ...new Set(events.map((event) => fold.keyOf(event)).filter((key): key is string => key !== null)),
  ];
  if (keys.length === 0) return;
  const rows = await fold.load(tx, tables, keys);
  const changed = new Map<string, Row>();
  for (const event of events) {
    const key = fold.keyOf(event);
    if (key === null) continue;
    const next = fold.evolve(rows.get(key) ?? null, event);
    if (next === null) continue;
    rows.set(key, next);
    changed.set(key, next);
  }
  if (changed.size > 0) await fold.save(tx, tables, [...changed.values()]);
}

/** Folds a whole sequence in memory: what the rows should be, for unit tests and oracles. */
export function foldAll<Row>(
  events: readonly ProjectedEvent[],
  keyOf: (event: ProjectedEvent) => string | null,
  evolve: (row: Row | null, event: ProjectedEvent) => Row | null,
): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const event of events) {
    const key = keyOf(event);
    if (key === null) continue;
    const next = evolve(rows.get(key) ?? null, event);
    if (next !== null) rows.set(key, next);
  }
  return rows;
}
