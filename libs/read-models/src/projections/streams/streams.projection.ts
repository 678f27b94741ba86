import { foldRows, RowFold } from '../../runner/fold-rows';
import type { ProjectedEvent, Projection } from '../../runner/projection';

/** Per stream: how many events the read side has applied, and the last one. */
export interface StreamRow {
  streamId: string;
  /** The aggregate: the stream name before its first `-`. */
  category: string;
  events: number;
  lastRevision: number;
  lastPosition: number;
  lastType: string;
  firstRecordedAt: string;
  lastRecordedAt: string;
}

/** Pure. Counting (rather than copying the revision) is what makes a repeated or skipped event show. */
export function evolveStreamRow(row: StreamRow | null, event: ProjectedEvent): StreamRow {
  const recordedAt = event.recordedAt.toISOString();
  return {
    streamId: event.streamId,
    category: event.streamId.split('-', 1)[0]!,
    events: (row?.events ?? 0) + 1,
    lastRevision: event.revision,
    lastPosition: event.position,
    lastType: event.type,
    firstRecordedAt: row?.firstRecordedAt ?? recordedAt,
    lastRecordedAt: recordedAt,
  };
}

type Table = 'streams';

const rows: RowFold<StreamRow, Table> = {
  keyOf: (event) => event.streamId,
  evolve: evolveStreamRow,
  async load(tx, tables, keys) {
    const found = await tx.query<{
      stream_id: string;
      category: string;
      events: number;
      last_revision: number;
      last_position: number;
      last_type: string;
      first_recorded_at: Date;
      last_recorded_at: Date;
    }>(`SELECT * FROM ${tables.streams} WHERE stream_id = ANY($1::text[])`, [keys]);
    return new Map(
      found.map((row) => [
        row.stream_id,
        {
          streamId: row.stream_id,
          category: row.category,
          events: row.events,
          lastRevision: row.last_revision,
          lastPosition: row.last_position,
          lastType: row.last_type,
          firstRecordedAt: new Date(row.first_recorded_at).toISOString(),
          lastRecordedAt: new Date(row.last_recorded_at).toISOString(),
        },
      ]),
    );
  },
  async save(tx, tables, changed) {
    await tx.query(
      `INSERT INTO ${tables.streams}
         (stream_id, category, events, last_revision, last_position, last_type, first_recorded_at, last_recorded_at)
       SELECT "streamId", category, events, "lastRevision", "lastPosition", "lastType", "firstRecordedAt", "lastRecordedAt"
         FROM jsonb_to_recordset($1::jsonb) AS r(
           "streamId" text, category text, events bigint, "lastRevision" integer, "lastPosition" bigint,
           "lastType" text, "firstRecordedAt" timestamptz, "lastRecordedAt" timestamptz)
       ON CONFLICT (stream_id) DO UPDATE SET
         events = EXCLUDED.events, last_revision = EXCLUDED.last_revision, last_position = EXCLUDED.last_position,
         last_type = EXCLUDED.last_type, last_recorded_at = EXCLUDED.last_recorded_at`,
      [JSON.stringify(changed)],
    );
  },
};

/** Every stream of the log, for operators and auditors (and the crash test: counts must equal stream lengths). */
export const streamsProjection: Projection<Table> = {
  name: 'streams',
  version: 1,
  handles: 'all',
  tables: ['streams'],
  keys: { streams: ['stream_id'] },
  migrations: (t) => [
    `CREATE TABLE ${t.streams} (
       stream_id text PRIMARY KEY,
       category text NOT NULL,
       events bigint NOT NULL,
       last_revision integer NOT NULL,
       last_position bigint NOT NULL,
       last_type text NOT NULL,
       first_recorded_at timestamptz NOT NULL,
       last_recorded_at timestamptz NOT NULL
     )`,
    `CREATE INDEX ${t.streams}_category ON ${t.streams} (category)`,
  ],
  apply: (tx, events, tables) => foldRows(tx, tables, events, rows),
};
