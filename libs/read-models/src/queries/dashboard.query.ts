import type { SqlExecutor } from '@passerelle/database';
import {
  CALIFORNIA_COUNTRY,
  FRANCE_COUNTRY,
  Language,
  Partnership,
  PARTNERSHIP_STAGES,
  STAGES,
} from '@passerelle/domain';
import type { ActivityRow } from '../projections/activity/activity.projection';
import { describeActivity } from './activity-text';
import {
  clampLimit,
  isoDay,
  OrganizationName,
  organizationNames,
  PartnershipScope,
  Where,
  whereInScope,
} from './common';

const DAY_MS = 86_400_000;

/** Business dates, `YYYY-MM-DD`, both inclusive; either may be left open. */
export interface PipelinePeriod {
  from?: string;
  to?: string;
}

export interface Pipeline {
  total: number;
  /** The period the figures below count in (business dates); null ends are open. */
  period: { from: string | null; to: string | null };
  /** Partnerships in each stage now (side states included). */
  stages: Record<string, number>;
  /** Partnerships that reached each lifecycle stage within the period (ever, without one). */
  reached: Record<string, number>;
  /**
   * Of those that reached a stage within the period, the share that reached the next by its end; null when
   * none reached the first.
   */
  conversion: Record<string, number | null>;
  /**
   * Median of the business days between consecutive stages, over the steps completed within the period;
   * null when no partnership made the step.
   */
  medianDaysBetweenStages: Record<string, number | null>;
}

export interface MatrixCell {
  californiaId: string;
  franceId: string;
  partnerships: number;
  /** Not withdrawn. */
  active: number;
  bySector: Record<string, number>;
}

export interface Matrix {
  california: (OrganizationName & { partnerships: number })[];
  france: (OrganizationName & { partnerships: number })[];
  cells: MatrixCell[];
}

export interface ActivityItem {
  position: number;
  type: string;
  partnershipId: string | null;
  organizationId: string | null;
  occurredAt: string;
  recordedAt: string;
  actor: string | null;
  text: string;
}

export interface Upcoming {
  now: string;
  meetings: {
    partnershipId: string;
    partnershipTitle: string;
    meetingId: string;
    startsAt: string;
    endsAt: string | null;
    agenda: string | null;
    timezone: string | null;
    location: string | null;
    videoUrl: string | null;
  }[];
  pendingSignatures: {
    partnershipId: string;
    partnershipTitle: string;
    document: 'agreement' | 'mou';
    documentId: string;
    title: string | null;
    organizationId: string;
    organizationName: string;
    pendingSince: string;
  }[];
  expiringAgreements: {
    partnershipId: string;
    partnershipTitle: string;
    agreementId: string;
    title: string | null;
    expiresOn: string;
    daysLeft: number;
  }[];
}

const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/** A share rounded to four decimals, as the dashboard shows it; null over an empty cohort. */
const share = (part: number, whole: number): number | null =>
  whole ? Math.round((part / whole) * 10_000) / 10_000 : null;

/** Business dates are `YYYY-MM-DD`: compared as strings, byte by byte (not by the database's collation). */
const dayOf = (stage: string): string => `reached.${stage} COLLATE "C"`;

/**
 * Stages as SQL conditions on a row's business dates: `within` the period, or reached `byEnd` of it. A
 * stage with no date is neither.
 */
function periodConditions(where: Where, period: PipelinePeriod) {
  const from = period.from ? where.param(period.from) : null;
  const to = period.to ? where.param(period.to) : null;
  const byEnd = (stage: string) => (to ? `${dayOf(stage)} <= ${to}::text` : `${dayOf(stage)} IS NOT NULL`);
  const within = (stage: string) =>
    from ? `${dayOf(stage)} >= ${from}::text AND ${byEnd(stage)}` : byEnd(stage);
  return { within, byEnd };
}

/**
 * The counters' scope for a dashboard's filters (partnership-counts.ts): everyone, or one sector, axis or
 * party; null for the rest (a region, or filters together), which aggregate the partnerships in scope.
 */
export function countedScope(filters: PartnershipScope): string | null {
  const region = filters.region?.trim();
  if (region) return null;
  const given = [
    filters.sector && `sector:${filters.sector}`,
    filters.axis && `axis:${filters.axis}`,
    filters.organizationId && `party:${filters.organizationId}`,
  ].filter((scope): scope is string => !!scope);
  return given.length === 0 ? '' : given.length === 1 ? given[0]! : null;
}

/** The `percentile_cont(0.5)` of the values a histogram (value, count; sorted by value) holds. */
function medianOf(histogram: { value: number; count: number }[], total: number): number | null {
  if (total === 0) return null;
  const position = 0.5 * (total - 1);
  const [lower, upper] = [Math.floor(position), Math.ceil(position)];
  const at = (rank: number) => {
    let seen = 0;
    for (const { value, count } of histogram) {
      seen += count;
      if (rank < seen) return value;
    }
    throw new Error('median past the histogram');
  };
  const first = at(lower);
  if (lower === upper) return first;
  // As the database interpolates (float8_lerp): the middle of the two middle values.
  return first + (at(upper) - first) * (position - lower);
}

/** Columns of a pipeline's one-row aggregate: `reached_<i>`, and `converted_<i>` / `median_<i>` per step. */
interface PipelineAggregate {
  total: number;
  stages: Record<string, number> | null;
  [column: `reached_${number}` | `converted_${number}`]: number;
  [median: `median_${number}`]: number | null;
}

/** One row per Californian or French organisation (`franceId` null) or pair, and per sector of a pair. */
interface MatrixRow {
  kind: 'organization' | 'cell' | 'sector';
  california_id: string | null;
  france_id: string | null;
  sector: string | null;
  partnerships: number;
  active: number;
  name: string | null;
  org_kind: string | null;
  country: string | null;
}

export class DashboardQuery {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * The pipeline, aggregated by the database in one statement over the partnerships in scope (one snapshot):
   * counts per stage, and per lifecycle step the cohort that reached it within the period, how many of them
   * reached the next by its end, and the median business days of the steps completed within it. With a
   * period, a stage counts as reached when its date falls within it.
   */
  async pipeline(filters: PartnershipScope = {}, period: PipelinePeriod = {}): Promise<Pipeline> {
    const scope = countedScope(filters);
    const aggregate =
      !period.from && !period.to && scope !== null
        ? await this.countedPipeline(scope)
        : scope === ''
          ? await this.datedPipeline(period)
          : await this.aggregatedPipeline(filters, period);
    const found = aggregate.stages ?? {};
    // Every stage, in the domain's order; a stage the domain no longer knows after them.
    const stages = Object.fromEntries(
      PARTNERSHIP_STAGES.map((stage) => [stage, found[stage] ?? 0]),
    ) as Record<string, number>;
    for (const stage of Object.keys(found).sort()) stages[stage] ??= found[stage]!;
    const reached = Object.fromEntries(
      STAGES.map((stage, index) => [stage, aggregate[`reached_${index}`]]),
    ) as Record<string, number>;
    const conversion: Record<string, number | null> = {};
    const medianDaysBetweenStages: Record<string, number | null> = {};
    for (let index = 1; index < STAGES.length; index++) {
      const step = `${STAGES[index - 1]}→${STAGES[index]}`;
      conversion[step] = share(aggregate[`converted_${index}`], aggregate[`reached_${index - 1}`]);
      medianDaysBetweenStages[step] = aggregate[`median_${index}`];
    }
    return {
      total: aggregate.total,
      period: { from: period.from ?? null, to: period.to ?? null },
      stages,
      reached,
      conversion,
      medianDaysBetweenStages,
    };
  }

  /**
   * Without a period, for everyone or one sector, axis or party: the counters of that scope, a few rows
   * whatever the number of partnerships (one statement, one snapshot).
   */
  private async countedPipeline(scope: string): Promise<PipelineAggregate> {
    const rows = await this.db.query<{ kind: string; item: string; days: number; n: number }>(
      `SELECT kind, item, days, n FROM rm_partnership_counts WHERE scope = $1 ORDER BY kind, item, days`,
      [scope],
    );
    const aggregate: PipelineAggregate = { total: 0, stages: null };
    const stages: Record<string, number> = {};
    const days = new Map<string, { value: number; count: number }[]>();
    for (const row of rows) {
      if (row.kind === 'stage') {
        stages[row.item] = row.n;
        aggregate.total += row.n;
      } else if (row.kind === 'reached') {
        const index = STAGES.indexOf(row.item as (typeof STAGES)[number]);
        if (index >= 0) aggregate[`reached_${index}`] = row.n;
      } else if (row.kind === 'days') {
        const histogram = days.get(row.item) ?? [];
        histogram.push({ value: row.days, count: row.n });
        days.set(row.item, histogram);
      }
    }
    if (rows.some((row) => row.kind === 'stage')) aggregate.stages = stages;
    STAGES.forEach((_, index) => (aggregate[`reached_${index}`] ??= 0));
    for (let index = 1; index < STAGES.length; index++) {
      const histogram = days.get(String(index)) ?? [];
      const converted = histogram.reduce((sum, bucket) => sum + bucket.count, 0);
      aggregate[`converted_${index}`] = converted;
      aggregate[`median_${index}`] = medianOf(histogram, converted);
    }
    return aggregate;
  }

  /**
   * Over a period, for every partnership: the stages now from the counters, and the stages' days
   * (partnership-stage-days.ts) whose days fall in the period, grouped by stage (and by the days of each step
   * completed in it, for its median). One statement, one snapshot; it reads the days and pairs of days in the
   * period, however many partnerships share them.
   */
  private async datedPipeline(period: PipelinePeriod): Promise<PipelineAggregate> {
    const params: unknown[] = [];
    const param = (value: string) => `$${params.push(value)}::text COLLATE "C"`;
    const [from, to] = [period.from ? param(period.from) : null, period.to ? param(period.to) : null];
    const byEnd = (day: string) => (to ? [`${day} <= ${to}`] : []);
    const within = (day: string) => [...(from ? [`${day} >= ${from}`] : []), ...byEnd(day)];
    // The stages named, so that each is one range of the indexes (stage, day, …) to read.
    const stagesFrom = (first: number) => `stage = ANY('{${[...STAGES.keys()].slice(first)}}'::smallint[])`;
    const where = (...conditions: string[]) => conditions.join(' AND ');
    const rows = await this.db.query<{ kind: string; stage: string; days: number; n: number }>(
      `SELECT 'stage' AS kind, item AS stage, 0 AS days, n
         FROM rm_partnership_counts WHERE scope = '' AND kind = 'stage'
       UNION ALL
       SELECT 'reached', stage::text, 0, sum(n)::integer
         FROM rm_partnership_stage_days WHERE ${where(stagesFrom(0), `since = ''`, ...within('reached_on'))}
        GROUP BY stage
       UNION ALL
       SELECT 'converted', stage::text, 0, sum(n)::integer
         FROM rm_partnership_stage_days WHERE ${where(stagesFrom(1), `since <> ''`, ...within('since'), ...byEnd('reached_on'))}
        GROUP BY stage
       UNION ALL
       SELECT 'days', stage::text, reached_on::date - since::date, sum(n)::integer
         FROM rm_partnership_stage_days WHERE ${where(stagesFrom(1), `since <> ''`, ...within('reached_on'))}
        GROUP BY 2, 3
       ORDER BY 1, 2, 3`,
      params,
    );
    const aggregate: PipelineAggregate = { total: 0, stages: null };
    const stages: Record<string, number> = {};
    const days = new Map<string, { value: number; count: number }[]>();
    for (const row of rows) {
      if (row.kind === 'stage') {
        stages[row.stage] = row.n;
        aggregate.total += row.n;
      } else if (row.kind === 'reached') aggregate[`reached_${Number(row.stage)}`] = row.n;
      else if (row.kind === 'converted') aggregate[`converted_${Number(row.stage)}`] = row.n;
      else {
        const histogram = days.get(row.stage) ?? [];
        histogram.push({ value: row.days, count: row.n });
        days.set(row.stage, histogram);
      }
    }
    if (rows.some((row) => row.kind === 'stage')) aggregate.stages = stages;
    STAGES.forEach((_, index) => {
      aggregate[`reached_${index}`] ??= 0;
      if (index === 0) return;
      aggregate[`converted_${index}`] ??= 0;
      const histogram = days.get(String(index)) ?? [];
      const completed = histogram.reduce((sum, bucket) => sum + bucket.count, 0);
      aggregate[`median_${index}`] = medianOf(histogram, completed);
    });
    return aggregate;
  }

  /** Any scope and period: one pass over the partnerships in scope, aggregated by the database. */
  private async aggregatedPipeline(
    filters: PartnershipScope,
    period: PipelinePeriod,
  ): Promise<PipelineAggregate> {
    const where = whereInScope(new Where(), filters);
    const { within, byEnd } = periodConditions(where, period);
    const columns = STAGES.map(
      (stage, index) => `count(*) FILTER (WHERE ${within(stage)})::integer AS reached_${index}`,
    );
    for (let index = 1; index < STAGES.length; index++) {
      const [from, to] = [STAGES[index - 1]!, STAGES[index]!];
      columns.push(
        `count(*) FILTER (WHERE ${within(from)} AND ${byEnd(to)})::integer AS converted_${index}`,
        // Both are calendar days: their difference is the whole number of days between them.
        `percentile_cont(0.5) WITHIN GROUP (ORDER BY (${dayOf(to)})::date - (${dayOf(from)})::date)
           FILTER (WHERE ${dayOf(from)} IS NOT NULL AND ${within(to)}) AS median_${index}`,
      );
    }
    const [row] = await this.db.query<PipelineAggregate>(
      `SELECT count(*)::integer AS total,
              (SELECT jsonb_object_agg(stage, n) FROM (
                 SELECT stage, count(*)::integer AS n FROM rm_partnerships ${where} GROUP BY stage
               ) AS by_stage) AS stages,
              ${columns.join(',\n              ')}
         FROM rm_partnerships
        CROSS JOIN LATERAL jsonb_to_record(stage_reached_on) AS reached(${STAGES.map((stage) => `${stage} text`).join(', ')})
        ${where}`,
      where.params,
    );
    return row!;
  }

  /**
   * California × France pairs of parties, counted per partnership linking them, aggregated by the database
   * in one statement (one snapshot); the answer's size is that of the matrix. A party counts once per
   * partnership, and only as an organisation the directory knows in California or in France.
   */
  async matrix(filters: PartnershipScope = {}): Promise<Matrix> {
    const scope = countedScope(filters);
    const where = scope === null ? whereInScope(new Where(), filters) : new Where();
    // Partnerships with the same parties and sectors count together: the work past the first grouping
    // grows with the distinct combinations, not with the partnerships. For everyone or one sector, axis or
    // party, the grouping is kept by the read model (partnership-counts.ts).
    const combinations =
      scope === null
        ? `SELECT row_number() OVER () AS combination, parties, sectors, count(*)::integer AS partnerships,
                  count(*) FILTER (WHERE status <> 'withdrawn')::integer AS active
             FROM rm_partnerships ${where}
            GROUP BY parties, sectors`
        : `SELECT row_number() OVER () AS combination, parties, sectors, partnerships, active
             FROM rm_partnership_combinations WHERE scope = ${where.param(scope)}::text`;
    const [california, france] = [where.param(CALIFORNIA_COUNTRY), where.param(FRANCE_COUNTRY)];
    const rows = await this.db.query<MatrixRow>(
      `WITH combination AS (${combinations}), party AS (
         SELECT DISTINCT c.combination, o.id::text AS organization_id, o.country
           FROM combination c
           CROSS JOIN LATERAL unnest(c.parties) AS u(party)
           JOIN rm_organizations o ON o.id::text = u.party
          WHERE o.country IN (${california}::text, ${france}::text)
       ), pair AS (
         SELECT ca.organization_id AS california_id, fr.organization_id AS france_id, c.sectors, c.partnerships,
                c.active
           FROM party ca
           JOIN party fr ON fr.combination = ca.combination AND fr.country = ${france}::text
           JOIN combination c ON c.combination = ca.combination
          WHERE ca.country = ${california}::text
       )
       SELECT 'organization' AS kind, t.organization_id AS california_id, NULL AS france_id, NULL AS sector,
              t.partnerships, 0 AS active, o.name, o.kind AS org_kind, o.country
         FROM (SELECT p.organization_id, sum(c.partnerships)::integer AS partnerships
                 FROM party p JOIN combination c ON c.combination = p.combination
                GROUP BY p.organization_id) AS t
         JOIN rm_organizations o ON o.id::text = t.organization_id
       UNION ALL
       SELECT 'cell', california_id, france_id, NULL, sum(partnerships)::integer, sum(active)::integer,
              NULL, NULL, NULL
         FROM pair GROUP BY california_id, france_id
       UNION ALL
       SELECT 'sector', california_id, france_id, sector, sum(partnerships)::integer, 0, NULL, NULL, NULL
         FROM pair CROSS JOIN LATERAL unnest(sectors) AS u(sector)
        GROUP BY california_id, france_id, sector`,
      where.params,
    );
    return matrixFrom(rows);
  }

  /** Newest first; `before` is the position to continue below (the previous page's `nextBefore`). */
  async activity(options: {
    limit?: number;
    before?: number;
    partnershipId?: string;
    /** The language of the sentences (English by default). */
    language?: Language;
  }): Promise<{
    items: ActivityItem[];
    nextBefore: number | null;
  }> {
    const limit = clampLimit(options.limit);
    const where = new Where();
    if (options.before !== undefined) where.add(`position < ${where.param(options.before)}`);
    if (options.partnershipId) where.add(`partnership_id = ${where.param(options.partnershipId)}::uuid`);
    const rows = await this.db.query<{
      position: number;
      event_id: string;
      stream_id: string;
      type: string;
      partnership_id: string | null;
      organization_id: string | null;
      occurred_at: Date;
      recorded_at: Date;
      actor_name: string | null;
      facts: Record<string, unknown>;
    }>(
      `SELECT * FROM rm_activity ${where} ORDER BY position DESC LIMIT ${where.param(limit + 1)}`,
      where.params,
    );
    const page = rows.slice(0, limit).map((row): ActivityRow => ({
      position: row.position,
      eventId: row.event_id,
      streamId: row.stream_id,
      type: row.type,
      partnershipId: row.partnership_id,
      organizationId: row.organization_id,
      occurredAt: new Date(row.occurred_at).toISOString(),
      recordedAt: new Date(row.recorded_at).toISOString(),
      actorName: row.actor_name,
      facts: row.facts,
    }));
    const organizationIds = page.flatMap((row) => {
      const f = row.facts;
      const ids = ['parties', 'signatories', 'leads', 'attendeeOrganizations'].flatMap((key) =>
        Array.isArray(f[key]) ? (f[key] as string[]) : [],
      );
      return typeof f.organizationId === 'string' ? [...ids, f.organizationId] : ids;
    });
    const names = await organizationNames(this.db, organizationIds);
    const partnershipIds = [
      ...new Set(page.map((row) => row.partnershipId).filter((id): id is string => !!id)),
    ];
    const states = new Map<string, Partnership>();
    if (partnershipIds.length) {
      const found = await this.db.query<{ state: Partnership }>(
        'SELECT state FROM rm_partnerships WHERE id = ANY($1::uuid[])',
        [partnershipIds],
      );
      for (const { state } of found) states.set(state.id, state);
    }
    const context = {
      organizationName: (id: string) => names.get(id)?.name,
      partnershipTitle: (id: string) => states.get(id)?.title,
      itemTitle: (partnershipId: string, itemId: string) => {
        const state = states.get(partnershipId);
        if (!state) return undefined;
        return (
          state.agreements.find((a) => a.agreementId === itemId)?.title ??
          state.mous.find((m) => m.mouId === itemId)?.title ??
          state.projects.find((p) => p.projectId === itemId)?.title
        );
      },
    };
    return {
      items: page.map((row) => ({
        position: row.position,
        type: row.type,
        partnershipId: row.partnershipId,
        organizationId: row.organizationId,
        occurredAt: row.occurredAt,
        recordedAt: row.recordedAt,
        actor: row.actorName,
        text: describeActivity(row, context, options.language ?? 'en'),
      })),
      nextBefore: rows.length > limit ? page[page.length - 1]!.position : null,
    };
  }

  /** Meetings in the next 30 days, signatures still awaited, agreements ending within 90 days of `now`. */
  async upcoming(now: Date, options: { meetingDays?: number; expiryDays?: number } = {}): Promise<Upcoming> {
    const meetingsUntil = new Date(now.getTime() + (options.meetingDays ?? 30) * DAY_MS);
    const today = isoDay(now);
    const expiryUntil = new Date(Date.parse(today) + (options.expiryDays ?? 90) * DAY_MS);
    const rows = await this.db.query<{
      partnership_id: string;
      partnership_title: string;
      kind: 'meeting' | 'signature' | 'expiry';
      item_id: string;
      document: 'agreement' | 'mou' | null;
      organization_id: string | null;
      title: string | null;
      due_at: Date;
      ends_at: Date | null;
      details: Record<string, string | null>;
    }>(
      `SELECT a.*, p.title AS partnership_title
         FROM rm_partnership_agenda a JOIN rm_partnerships p ON p.id = a.partnership_id
        WHERE (a.kind = 'meeting' AND a.due_at >= $1 AND a.due_at < $2)
           OR a.kind = 'signature'
           OR (a.kind = 'expiry' AND a.due_at >= $3 AND a.due_at <= $4)
        ORDER BY a.due_at, a.partnership_id, a.item_id`,
      [now.toISOString(), meetingsUntil.toISOString(), `${today}T00:00:00.000Z`, expiryUntil.toISOString()],
    );
    const names = await organizationNames(
      this.db,
      rows.flatMap((row) => (row.organization_id ? [row.organization_id] : [])),
    );
    const iso = (value: Date) => new Date(value).toISOString();
    const upcoming: Upcoming = {
      now: now.toISOString(),
      meetings: [],
      pendingSignatures: [],
      expiringAgreements: [],
    };
    for (const row of rows) {
      if (row.kind === 'meeting') {
        upcoming.meetings.push({
          partnershipId: row.partnership_id,
          partnershipTitle: row.partnership_title,
          meetingId: row.item_id,
          startsAt: iso(row.due_at),
          endsAt: row.ends_at ? iso(row.ends_at) : null,
          agenda: row.title,
          timezone: row.details.timezone ?? null,
          location: row.details.location ?? null,
          videoUrl: row.details.videoUrl ?? null,
        });
      } else if (row.kind === 'signature') {
        upcoming.pendingSignatures.push({
          partnershipId: row.partnership_id,
          partnershipTitle: row.partnership_title,
          document: row.document!,
          documentId: row.item_id.split(':')[0]!,
          title: row.title,
          organizationId: row.organization_id!,
          organizationName: names.get(row.organization_id!)?.name ?? '(unknown organisation)',
          pendingSince: iso(row.due_at),
        });
      } else {
        const expiresOn = iso(row.due_at).slice(0, 10);
        upcoming.expiringAgreements.push({
          partnershipId: row.partnership_id,
          partnershipTitle: row.partnership_title,
          agreementId: row.item_id,
          title: row.title,
          expiresOn,
          daysLeft: daysBetween(today, expiresOn),
        });
      }
    }
    return upcoming;
  }
}

/** Orders the aggregated rows as the dashboard shows them; sectors of a cell, most partnerships first. */
function matrixFrom(rows: MatrixRow[]): Matrix {
  const organizations: (OrganizationName & { partnerships: number })[] = [];
  const cells = new Map<string, MatrixCell>();
  const sectors: MatrixRow[] = [];
  for (const row of rows) {
    if (row.kind === 'organization') {
      organizations.push({
        id: row.california_id!,
        name: row.name!,
        kind: row.org_kind!,
        country: row.country!,
        partnerships: row.partnerships,
      });
    } else if (row.kind === 'cell') {
      cells.set(`${row.california_id}|${row.france_id}`, {
        californiaId: row.california_id!,
        franceId: row.france_id!,
        partnerships: row.partnerships,
        active: row.active,
        bySector: {},
      });
    } else sectors.push(row);
  }
  sectors.sort((a, b) => b.partnerships - a.partnerships || (a.sector! < b.sector! ? -1 : 1));
  for (const row of sectors)
    cells.get(`${row.california_id}|${row.france_id}`)!.bySector[row.sector!] = row.partnerships;
  const side = (country: string) =>
    organizations
      .filter((org) => org.country === country)
      .sort((a, b) => b.partnerships - a.partnerships || a.name.localeCompare(b.name));
  return {
    california: side(CALIFORNIA_COUNTRY),
    france: side(FRANCE_COUNTRY),
    cells: [...cells.values()].sort(
      (a, b) =>
        b.partnerships - a.partnerships ||
        a.californiaId.localeCompare(b.californiaId) ||
        a.franceId.localeCompare(b.franceId),
    ),
  };
}
