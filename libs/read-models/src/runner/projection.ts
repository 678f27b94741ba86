import type { SqlExecutor } from '@passerelle/database';
import type { RecordedEvent } from '@passerelle/event-store';

/**
 * A stored event as a projection receives it: `eventsToApply` (catalog.ts) has upcast it to the current
 * schema of its type, envelope unchanged. Only a name: the type has RecordedEvent's shape and cannot tell
 * an upcast event from a raw one, so projections get their events from eventsToApply alone.
 */
export type ProjectedEvent = RecordedEvent;

/** Logical table name → physical table of one generation (`rm_<table>_g<n>`). */
export type TableNames<Table extends string = string> = Readonly<Record<Table, string>>;

/**
 * A read model as a fold over the global log. Its rows are derived from events only (never from a clock
 * or a sequence), so a rebuild from the log yields the same rows: the consistency check relies on it.
 * It folds the events as stored: personal fields stay sealed in the rows and are opened by the queries,
 * so forgetting a person (deleting their key) changes no row.
 *
 * `apply` receives a whole batch so that a row touched by several events is loaded and written once;
 * the per-row logic stays a pure `evolve(row | null, event) → row` (see `foldRows`).
 */
export interface Projection<Table extends string = string> {
  /** Plain identifier; also the checkpoint name. */
  readonly name: string;
  /** Bump it when rows would come out differently: the runner then rebuilds into a new generation. */
  readonly version: number;
  /** Event types that change the rows; `all` for every event. Others only move the checkpoint. */
  readonly handles: readonly string[] | 'all';
  /** Logical table names; readers query the views `rm_<table>`. */
  readonly tables: readonly Table[];
  /** Primary key columns per table, to name differing rows in a consistency report. */
  readonly keys: Readonly<Record<Table, readonly string[]>>;
  /** DDL creating the tables (and indexes, and the functions of their triggers) of one generation. */
  migrations(tables: TableNames<Table>): string[];
  /** Functions (no arguments) `migrations` creates for one generation: dropped with its tables. */
  routines?(tables: TableNames<Table>): string[];
  apply(tx: SqlExecutor, events: readonly ProjectedEvent[], tables: TableNames<Table>): Promise<void>;
  /**
   * Set when the projection only ever adds rows, at most one per event, to one table keyed by the event's
   * position (column `position`), and never changes or removes them: the audit's verify then checks that
   * table batch by batch against the rows these events add, by position range, instead of rebuilding it.
   */
  readonly appendOnly?: AppendOnlyRows<Table>;
}

/** The rows an append-only projection adds (see `Projection.appendOnly`). */
export interface AppendOnlyRows<Table extends string = string> {
  readonly table: Table;
  /**
   * The rows these events add, as a SELECT over its parameters (`$1`, …), its columns in the table's
   * order and of its types: `apply` inserts what it selects, and verify compares what it selects.
   */
  select(events: readonly ProjectedEvent[]): { sql: string; params: unknown[] };
}

export type AnyProjection = Projection<string>;

export const handlesEvent = (projection: AnyProjection, type: string): boolean =>
  projection.handles === 'all' || projection.handles.includes(type);

/** The view every reader uses for a logical table. */
export const viewName = (table: string): string => `rm_${table}`;

/** Physical tables of a generation (`g<n>`) or of a scratch build (`x<hex>`). */
export const tableNamesFor = <Table extends string>(
  projection: Projection<Table>,
  suffix: string,
): TableNames<Table> =>
  Object.fromEntries(projection.tables.map((table) => [table, `rm_${table}_${suffix}`])) as Record<
    Table,
    string
  >;

export const generationSuffix = (generation: number): string => `g${generation}`;
