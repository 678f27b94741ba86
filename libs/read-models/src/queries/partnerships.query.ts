import type { SqlExecutor } from '@passerelle/database';
import {
  mapPartnershipPersonalData,
  type Partnership,
  type PartnershipStage,
  personalValuesOf,
} from '@passerelle/domain';
import type { StageDates } from '../projections/partnerships/partnership-row';
import {
  clampLimit,
  decodeCursor,
  encodeCursor,
  likePattern,
  OrganizationName,
  organizationNames,
  Page,
  PartnershipScope,
  Where,
  whereInScope,
} from './common';
import { PersonalDataOpener, readAsStored } from './personal-data';

export interface PartnershipFilters extends PartnershipScope {
  stage?: string;
  /** Words in the title (case-insensitive substring). */
  q?: string;
  limit?: number;
  offset?: number;
  cursor?: string;
}

export interface PartnershipSummary {
  id: string;
  title: string;
  stage: PartnershipStage;
  status: Partnership['status'];
  lifecycleStage: Partnership['lifecycleStage'];
  parties: OrganizationName[];
  sectors: string[];
  axes: string[];
  counts: { meetings: number; agreements: number; projects: number; mous: number };
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type PartnershipDetail = Partnership & {
  revision: number;
  position: number;
  stageReachedOn: StageDates;
  /** Name, kind and country of each party, in the order of `parties`. */
  partyDetails: OrganizationName[];
};

interface ListRow {
  id: string;
  title: string;
  stage: PartnershipStage;
  status: Partnership['status'];
  lifecycle_stage: Partnership['lifecycleStage'];
  parties: string[];
  sectors: string[];
  axes: string[];
  revision: number;
  created_at: Date;
  updated_at: Date;
  meetings: number;
  agreements: number;
  projects: number;
  mous: number;
}

type Cursor = { c: string; i: string };
/** As `encodeCursor` wrote it: the time as `toISOString` gives it back, and a UUID; nothing else reaches SQL. */
const isCursor = (value: unknown): value is Cursor => {
  if (typeof value !== 'object' || value === null) return false;
  const { c, i } = value as Partial<Cursor>;
  if (typeof c !== 'string' || typeof i !== 'string') return false;
  const time = new Date(c);
  return (
    !Number.isNaN(time.getTime()) &&
    time.toISOString() === c &&
    /^(?!0000)\d{4}-/.test(c) &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(i)
  );
};

const partiesOf = (ids: string[], names: Map<string, OrganizationName>): OrganizationName[] =>
  ids.map((id) => names.get(id) ?? { id, name: '(unknown organisation)', kind: 'unknown', country: '' });

/** Lists and details of partnerships, from `rm_partnerships` (newest first). */
export class PartnershipsQuery {
  constructor(
    private readonly db: SqlExecutor,
    /** Attendees' and signers' names and addresses are kept sealed in the rows and opened here. */
    private readonly open: PersonalDataOpener = readAsStored,
  ) {}

  async list(filters: PartnershipFilters): Promise<Page<PartnershipSummary>> {
    const limit = clampLimit(filters.limit);
    const where = new Where();
    if (filters.stage) where.add(`stage = ${where.param(filters.stage)}`);
    whereInScope(where, filters);
    if (filters.q) where.add(`title ILIKE ${where.param(likePattern(filters.q))}`);
    const [{ total }] = (await this.db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM rm_partnerships ${where}`,
      where.params,
    )) as [{ total: number }];

    let offset = filters.cursor ? 0 : Math.max(Math.trunc(filters.offset ?? 0), 0);
    if (filters.cursor) {
      const cursor = decodeCursor(filters.cursor, isCursor);
      where.add(`(created_at, id) < (${where.param(cursor.c)}::timestamptz, ${where.param(cursor.i)}::uuid)`);
      offset = 0;
    }
    const rows = await this.db.query<ListRow>(
      `SELECT id, title, stage, status, lifecycle_stage, parties, sectors, axes, revision, created_at, updated_at,
              jsonb_array_length(state->'meetings') AS meetings, jsonb_array_length(state->'agreements') AS agreements,
              jsonb_array_length(state->'projects') AS projects, jsonb_array_length(state->'mous') AS mous
         FROM rm_partnerships ${where}
        ORDER BY created_at DESC, id DESC
        LIMIT ${where.param(limit + 1)} OFFSET ${where.param(offset)}`,
      where.params,
    );
    const page = rows.slice(0, limit);
    const names = await organizationNames(
      this.db,
      page.flatMap((row) => row.parties),
    );
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        title: row.title,
        stage: row.stage,
        status: row.status,
        lifecycleStage: row.lifecycle_stage,
        parties: partiesOf(row.parties, names),
        sectors: row.sectors,
        axes: row.axes,
        counts: {
          meetings: row.meetings,
          agreements: row.agreements,
          projects: row.projects,
          mous: row.mous,
        },
        revision: row.revision,
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
      })),
      total,
      limit,
      offset,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ c: new Date(last.created_at).toISOString(), i: last.id })
          : null,
    };
  }

  async get(id: string): Promise<PartnershipDetail | null> {
    const [row] = await this.db.query<{
      state: Partnership;
      revision: number;
      position: number;
      stage_reached_on: StageDates;
    }>('SELECT state, revision, position, stage_reached_on FROM rm_partnerships WHERE id = $1', [id]);
    if (!row) return null;
    const names = await organizationNames(this.db, row.state.parties);
    const read = await this.open(personalValuesOf((map) => mapPartnershipPersonalData(row.state, map)));
    return {
      ...mapPartnershipPersonalData(row.state, read),
      revision: row.revision,
      position: row.position,
      stageReachedOn: row.stage_reached_on,
      partyDetails: partiesOf(row.state.parties, names),
    };
  }
}
