import {
  evolveOrganization,
  initialOrganizationState,
  isOrganizationStream,
  Organization,
  ORGANIZATION_EVENT_VERSIONS,
  OrganizationEvent,
} from '@passerelle/domain';
import { foldRows, RowFold } from '../../runner/fold-rows';
import type { ProjectedEvent, Projection } from '../../runner/projection';

export interface OrganizationRow {
  organization: Organization;
  revision: number;
  position: number;
}

type Table = 'organizations';

export const organizationIdOf = (event: ProjectedEvent): string | null =>
  isOrganizationStream(event.streamId) && typeof event.data.organizationId === 'string'
    ? event.data.organizationId
    : null;

/** Pure: the organisation after one more event of its stream, folded with the domain's `evolve`. */
export function evolveOrganizationRow(
  row: OrganizationRow | null,
  event: ProjectedEvent,
): OrganizationRow | null {
  const state = evolveOrganization(
    row?.organization ?? initialOrganizationState(),
    event as unknown as OrganizationEvent,
  );
  if (state.status !== 'registered') return null;
  return { organization: state, revision: event.revision, position: event.position };
}

const rows: RowFold<OrganizationRow, Table> = {
  keyOf: organizationIdOf,
  evolve: evolveOrganizationRow,
  async load(tx, tables, keys) {
    const found = await tx.query<{ state: Organization; revision: number; position: number }>(
      `SELECT state, revision, position FROM ${tables.organizations} WHERE id = ANY($1::uuid[])`,
      [keys],
    );
    return new Map(
      found.map((row) => [
        row.state.id,
        { organization: row.state, revision: row.revision, position: row.position },
      ]),
    );
  },
  async save(tx, tables, changed) {
    const records = changed.map(({ organization: o, revision, position }) => ({
      id: o.id,
      name: o.name,
      kind: o.kind,
      country: o.country,
      region: o.region,
      sectors: o.sectors,
      website: o.website,
      registered_at: o.registeredAt,
      revision,
      position,
      state: o,
    }));
    await tx.query(
      `INSERT INTO ${tables.organizations}
         (id, name, kind, country, region, sectors, website, registered_at, revision, position, state)
       SELECT id, name, kind, country, region, sectors, website, registered_at, revision, position, state
         FROM jsonb_to_recordset($1::jsonb) AS r(
           id uuid, name text, kind text, country text, region text, sectors text[], website text,
           registered_at timestamptz, revision integer, position bigint, state jsonb)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, kind = EXCLUDED.kind, country = EXCLUDED.country, region = EXCLUDED.region,
         sectors = EXCLUDED.sectors, website = EXCLUDED.website, registered_at = EXCLUDED.registered_at,
         revision = EXCLUDED.revision, position = EXCLUDED.position, state = EXCLUDED.state`,
      [JSON.stringify(records)],
    );
  },
};

/** The organisation directory: names, kinds and countries that lists, the matrix and reports show. */
export const organizationsProjection: Projection<Table> = {
  name: 'organizations',
  // 2: contacts' names and addresses are kept sealed, as the events carry them (decision 0005).
  version: 2,
  handles: Object.keys(ORGANIZATION_EVENT_VERSIONS),
  tables: ['organizations'],
  keys: { organizations: ['id'] },
  migrations: (t) => [
    `CREATE TABLE ${t.organizations} (
       id uuid PRIMARY KEY,
       name text NOT NULL,
       kind text NOT NULL,
       country text NOT NULL,
       region text NOT NULL,
       sectors text[] NOT NULL,
       website text,
       registered_at timestamptz NOT NULL,
       revision integer NOT NULL,
       position bigint NOT NULL,
       state jsonb NOT NULL
     )`,
    `CREATE INDEX ${t.organizations}_country_name ON ${t.organizations} (country, lower(name))`,
    `CREATE INDEX ${t.organizations}_sectors ON ${t.organizations} USING gin (sectors)`,
  ],
  apply: (tx, events, tables) => foldRows(tx, tables, events, rows),
};
