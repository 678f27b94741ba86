import { isPartnershipStream, ORGANIZATION_EVENT_VERSIONS } from '@passerelle/domain';
import type { ProjectedEvent, Projection } from '../../runner/projection';
import { PARTNERSHIP_EVENT_TYPES } from '../partnerships/partnership-row';

/** Fields that name or reach a person: the feed keeps none of them (the log's crypto-shredding stays the only copy). */
const PERSONAL_FIELDS = new Set(['attendees', 'attendeesPresent', 'signerName', 'contacts', 'minutes']);

export interface ActivityRow {
  position: number;
  eventId: string;
  streamId: string;
  type: string;
  partnershipId: string | null;
  organizationId: string | null;
  occurredAt: string;
  recordedAt: string;
  actorName: string | null;
  /** The event's data without personal fields, plus the organisations of a meeting's attendees. */
  facts: Record<string, unknown>;
}

/**
 * The event's data without its personal fields: the data itself when it has none (most events), which
 * JSON writes the same as a copy of its own members would be.
 */
function factsOf(data: Record<string, unknown>): Record<string, unknown> {
  let personal = false;
  for (const field of PERSONAL_FIELDS) personal ||= Object.hasOwn(data, field);
  if (!personal) return data;
  const facts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!PERSONAL_FIELDS.has(key)) facts[key] = value;
  if (Array.isArray(data.attendees)) {
    const organizations = (data.attendees as { organizationId?: string | null }[])
      .map((attendee) => attendee.organizationId)
      .filter((id): id is string => typeof id === 'string');
    facts.attendeeOrganizations = [...new Set(organizations)];
  }
  return facts;
}

const textOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** One feed entry per event. Pure. */
export function activityRowOf(event: ProjectedEvent): ActivityRow {
  const { data } = event;
  const recordedAt = event.recordedAt.toISOString();
  return {
    position: event.position,
    eventId: event.id,
    streamId: event.streamId,
    type: event.type,
    partnershipId: isPartnershipStream(event.streamId) ? textOf(data.partnershipId) : null,
    organizationId: textOf(data.organizationId),
    occurredAt: textOf(data.occurredAt) ?? recordedAt,
    recordedAt,
    actorName: event.metadata.actor?.name ?? event.metadata.actor?.sub ?? null,
    facts: factsOf(data),
  };
}

type Table = 'activity';

/**
 * The rows these events add to the feed, as a SELECT (what `apply` inserts and verify compares). Each row
 * goes as a JSON array, its fields cast from the array's elements: `jsonb_to_recordset` over objects named
 * the same fields cost PostgreSQL a fifth more CPU (it writes each field back as text to cast it, the
 * jsonb `facts` included), and its JSON is a fifth longer.
 */
function activityRows(events: readonly ProjectedEvent[]): { sql: string; params: unknown[] } {
  const records = events.map((event) => {
    const row = activityRowOf(event);
    return [
      row.position,
      row.eventId,
      row.streamId,
      row.type,
      row.partnershipId,
      row.organizationId,
      row.occurredAt,
      row.recordedAt,
      row.actorName,
      row.facts,
    ];
  });
  return {
    sql: `SELECT (r ->> 0)::bigint AS position, (r ->> 1)::uuid AS event_id, r ->> 2 AS stream_id, r ->> 3 AS type,
                 (r ->> 4)::uuid AS partnership_id, (r ->> 5)::uuid AS organization_id,
                 (r ->> 6)::timestamptz AS occurred_at, (r ->> 7)::timestamptz AS recorded_at, r ->> 8 AS actor_name,
                 r -> 9 AS facts
            FROM jsonb_array_elements($1::jsonb) AS r`,
    params: [JSON.stringify(records)],
  };
}

/** The feed of what happened, newest first on the dashboard; words are put on it when read. */
export const activityProjection: Projection<Table> = {
  name: 'activity',
  // 2: partnership events carry their business date `on` in `facts`.
  version: 2,
  handles: [...PARTNERSHIP_EVENT_TYPES, ...Object.keys(ORGANIZATION_EVENT_VERSIONS)],
  tables: ['activity'],
  keys: { activity: ['position'] },
  migrations: (t) => [
    `CREATE TABLE ${t.activity} (
       position bigint PRIMARY KEY,
       event_id uuid NOT NULL,
       stream_id text NOT NULL,
       type text NOT NULL,
       partnership_id uuid,
       organization_id uuid,
       occurred_at timestamptz NOT NULL,
       recorded_at timestamptz NOT NULL,
       actor_name text,
       facts jsonb NOT NULL
     )`,
    `CREATE INDEX ${t.activity}_partnership ON ${t.activity} (partnership_id, position DESC)`,
  ],
  appendOnly: { table: 'activity', select: activityRows },
  async apply(tx, events, tables) {
    const { sql, params } = activityRows(events);
    await tx.query(
      `INSERT INTO ${tables.activity}
         (position, event_id, stream_id, type, partnership_id, organization_id, occurred_at, recorded_at, actor_name, facts)
       ${sql}`,
      params,
    );
  },
};
