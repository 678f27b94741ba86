import type { SqlExecutor } from '@passerelle/database';
import { foldRows, RowFold } from '../../runner/fold-rows';
import type { Projection, TableNames } from '../../runner/projection';
import {
  agendaOf,
  evolvePartnershipRow,
  PARTNERSHIP_EVENT_TYPES,
  partnershipIdOf,
  PartnershipRow,
} from './partnership-row';
import { partnershipCountsRoutines, partnershipCountsTables } from './partnership-counts';
import { partnershipStageDaysRoutines, partnershipStageDaysTables } from './partnership-stage-days';

type Table =
  | 'partnerships'
  | 'partnership_agenda'
  | 'partnership_counts'
  | 'partnership_combinations'
  | 'partnership_stage_days';

const rows: RowFold<PartnershipRow, Table> = {
  keyOf: partnershipIdOf,
  evolve: evolvePartnershipRow,

  async load(tx, tables, keys) {
    const found = await tx.query<{
      id: string;
      state: PartnershipRow['state'];
      revision: number;
      position: number;
      stage_reached_on: PartnershipRow['stageReachedOn'];
    }>(
      `SELECT id, state, revision, position, stage_reached_on FROM ${tables.partnerships} WHERE id = ANY($1::uuid[])`,
      [keys],
    );
    return new Map(
      found.map((row) => [
        row.id,
        {
          id: row.id,
          state: row.state,
          revision: row.revision,
          position: row.position,
          stageReachedOn: row.stage_reached_on,
        },
      ]),
    );
  },

  async save(tx, tables, changed) {
    const records = changed.map(({ id, state, revision, position, stageReachedOn }) => ({
      id,
      title: state.title,
      stage: state.stage,
      lifecycle_stage: state.lifecycleStage,
      status: state.status,
      parties: state.parties,
      sectors: state.sectors,
      axes: state.axes,
      revision,
      position,
      created_at: state.createdAt,
      updated_at: state.updatedAt,
      stage_reached_on: stageReachedOn,
      state,
    }));
    await tx.query(
      `INSERT INTO ${tables.partnerships}
         (id, title, stage, lifecycle_stage, status, parties, sectors, axes, revision, position,
          created_at, updated_at, stage_reached_on, state)
       SELECT id, title, stage, lifecycle_stage, status, parties, sectors, axes, revision, position,
              created_at, updated_at, stage_reached_on, state
         FROM jsonb_to_recordset($1::jsonb) AS r(
           id uuid, title text, stage text, lifecycle_stage text, status text, parties text[], sectors text[],
           axes text[], revision integer, position bigint, created_at timestamptz, updated_at timestamptz,
           stage_reached_on jsonb, state jsonb)
       ON CONFLICT (id) DO UPDATE SET
         title = EXCLUDED.title, stage = EXCLUDED.stage, lifecycle_stage = EXCLUDED.lifecycle_stage,
         status = EXCLUDED.status, parties = EXCLUDED.parties, sectors = EXCLUDED.sectors, axes = EXCLUDED.axes,
         revision = EXCLUDED.revision, position = EXCLUDED.position, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at, stage_reached_on = EXCLUDED.stage_reached_on, state = EXCLUDED.state`,
      [JSON.stringify(records)],
    );
    await saveAgenda(tx, tables, changed);
  },
};

async function saveAgenda(
  tx: SqlExecutor,
  tables: TableNames<Table>,
  changed: PartnershipRow[],
): Promise<void> {
  await tx.query(`DELETE FROM ${tables.partnership_agenda} WHERE partnership_id = ANY($1::uuid[])`, [
    changed.map((row) => row.id),
  ]);
  const items = changed.flatMap((row) =>
    agendaOf(row.state).map((item) => ({
      partnership_id: item.partnershipId,
      kind: item.kind,
      item_id: item.itemId,
      document: item.document,
      organization_id: item.organizationId,
      title: item.title,
      due_at: item.dueAt,
      ends_at: item.endsAt,
      details: item.details,
    })),
  );
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO ${tables.partnership_agenda}
       (partnership_id, kind, item_id, document, organization_id, title, due_at, ends_at, details)
     SELECT partnership_id, kind, item_id, document, organization_id, title, due_at, ends_at, details
       FROM jsonb_to_recordset($1::jsonb) AS r(
         partnership_id uuid, kind text, item_id text, document text, organization_id uuid, title text,
         due_at timestamptz, ends_at timestamptz, details jsonb)`,
    [JSON.stringify(items)],
  );
}

/**
 * One row per partnership (the folded state and the columns lists filter on), what is coming up, and the
 * counters the pipeline and the matrix read (kept by triggers on the partnerships table, partnership-counts.ts;
 * over a period, the stages' days, partnership-stage-days.ts).
 */
export const partnershipsProjection: Projection<Table> = {
  name: 'partnerships',
  // 2: attendees' names and addresses and signers' names are kept sealed, as the events carry them
  // (decision 0005): forgetting a person deletes their key and leaves nothing here to rewrite. Business
  // dates (`on` in every event, `proposedOn`, `lastStepOn`, … in the state; signatures pending since the
  // terms' date). 3: the dashboards' counters (decision 0022). 4: the stages' days, for the pipeline over
  // a period (decision 0022, second amendment).
  version: 4,
  handles: PARTNERSHIP_EVENT_TYPES,
  tables: [
    'partnerships',
    'partnership_agenda',
    'partnership_counts',
    'partnership_combinations',
    'partnership_stage_days',
  ],
  keys: {
    partnerships: ['id'],
    partnership_agenda: ['partnership_id', 'kind', 'item_id'],
    partnership_counts: ['scope', 'kind', 'item', 'days'],
    partnership_combinations: ['scope', 'combination'],
    partnership_stage_days: ['stage', 'reached_on', 'since'],
  },

  migrations: (t) => [
    `CREATE TABLE ${t.partnerships} (
       id uuid PRIMARY KEY,
       title text NOT NULL,
       stage text NOT NULL,
       lifecycle_stage text NOT NULL,
       status text NOT NULL,
       parties text[] NOT NULL,
       sectors text[] NOT NULL,
       axes text[] NOT NULL,
       revision integer NOT NULL,
       position bigint NOT NULL,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       stage_reached_on jsonb NOT NULL,
       state jsonb NOT NULL
     )`,
    `CREATE INDEX ${t.partnerships}_stage ON ${t.partnerships} (stage)`,
    `CREATE INDEX ${t.partnerships}_created ON ${t.partnerships} (created_at DESC, id DESC)`,
    `CREATE INDEX ${t.partnerships}_parties ON ${t.partnerships} USING gin (parties)`,
    `CREATE INDEX ${t.partnerships}_sectors ON ${t.partnerships} USING gin (sectors)`,
    `CREATE INDEX ${t.partnerships}_axes ON ${t.partnerships} USING gin (axes)`,
    `CREATE TABLE ${t.partnership_agenda} (
       partnership_id uuid NOT NULL,
       kind text NOT NULL,
       item_id text NOT NULL,
       document text,
       organization_id uuid,
       title text,
       due_at timestamptz NOT NULL,
       ends_at timestamptz,
       details jsonb NOT NULL,
       PRIMARY KEY (partnership_id, kind, item_id)
     )`,
    `CREATE INDEX ${t.partnership_agenda}_due ON ${t.partnership_agenda} (kind, due_at)`,
    ...partnershipCountsTables(t),
    ...partnershipStageDaysTables(t),
  ],

  routines: (t) => [...partnershipCountsRoutines(t), ...partnershipStageDaysRoutines(t)],

  apply: (tx, events, tables) => foldRows(tx, tables, events, rows),
};
