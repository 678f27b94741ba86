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
import type { StageDates } from '../projections/partnerships/partnership-row';
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

export const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/**
 * Pure: the pipeline from each partnership's stage and the business dates it reached each stage. With a
 * period, a stage counts as reached when its date falls within it, and a conversion follows the partnerships
 * that reached a stage within the period to the next stage reached by its end.
 */
export function pipelineOf(
  rows: { stage: string; stageReachedOn: StageDates }[],
  period: PipelinePeriod = {},
): Pipeline {
  const within = (day: string | null): day is string =>
    day !== null && (!period.from || day >= period.from) && (!period.to || day <= period.to);
  const byEnd = (day: string | null): day is string => day !== null && (!period.to || day <= period.to);
  const stages = Object.fromEntries(PARTNERSHIP_STAGES.map((stage) => [stage, 0])) as Record<string, number>;
  const reached = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<string, number>;
  for (const row of rows) {
    stages[row.stage] = (stages[row.stage] ?? 0) + 1;
    for (const stage of STAGES) if (within(row.stageReachedOn[stage])) reached[stage]! += 1;
  }
  const conversion: Record<string, number | null> = {};
  const medianDaysBetweenStages: Record<string, number | null> = {};
  for (let index = 1; index < STAGES.length; index++) {
    const from = STAGES[index - 1]!;
    const to = STAGES[index]!;
    const step = `${from}→${to}`;
    const cohort = rows.filter((row) => within(row.stageReachedOn[from]));
    const converted = cohort.filter((row) => byEnd(row.stageReachedOn[to])).length;
    conversion[step] = cohort.length ? Math.round((converted / cohort.length) * 10_000) / 10_000 : null;
    const days = rows
      .map((row) => [row.stageReachedOn[from], row.stageReachedOn[to]] as const)
      .filter((pair): pair is readonly [string, string] => pair[0] !== null && within(pair[1]))
      .map(([a, b]) => daysBetween(a, b));
    medianDaysBetweenStages[step] = median(days);
  }
  return {
    total: rows.length,
    period: { from: period.from ?? null, to: period.to ?? null },
    stages,
    reached,
    conversion,
    medianDaysBetweenStages,
  };
}

/** Pure: California × France pairs of parties, counted per partnership linking them. */
export function matrixOf(
  partnerships: { parties: string[]; sectors: string[]; status: string }[],
  organizations: Map<string, OrganizationName>,
): Matrix {
  const cells = new Map<string, MatrixCell>();
  const totals = new Map<string, number>();
  for (const partnership of partnerships) {
    const side = (country: string) =>
      [...new Set(partnership.parties)].filter((id) => organizations.get(id)?.country === country);
    const california = side(CALIFORNIA_COUNTRY);
    const france = side(FRANCE_COUNTRY);
    for (const id of [...california, ...france]) totals.set(id, (totals.get(id) ?? 0) + 1);
    for (const californiaId of california) {
      for (const franceId of france) {
        const key = `${californiaId}|${franceId}`;
        const cell = cells.get(key) ?? { californiaId, franceId, partnerships: 0, active: 0, bySector: {} };
        cell.partnerships += 1;
        if (partnership.status !== 'withdrawn') cell.active += 1;
        for (const sector of partnership.sectors) cell.bySector[sector] = (cell.bySector[sector] ?? 0) + 1;
        cells.set(key, cell);
      }
    }
  }
  const sideList = (country: string) =>
    [...totals.entries()]
      .map(([id, count]) => ({ ...organizations.get(id)!, partnerships: count }))
      .filter((org) => org.country === country)
      .sort((a, b) => b.partnerships - a.partnerships || a.name.localeCompare(b.name));
  return {
    california: sideList(CALIFORNIA_COUNTRY),
    france: sideList(FRANCE_COUNTRY),
    cells: [...cells.values()].sort(
      (a, b) =>
        b.partnerships - a.partnerships ||
        a.californiaId.localeCompare(b.californiaId) ||
        a.franceId.localeCompare(b.franceId),
    ),
  };
}

export class DashboardQuery {
  constructor(private readonly db: SqlExecutor) {}

  async pipeline(filters: PartnershipScope = {}, period: PipelinePeriod = {}): Promise<Pipeline> {
    const where = whereInScope(new Where(), filters);
    const rows = await this.db.query<{ stage: string; stage_reached_on: StageDates }>(
      `SELECT stage, stage_reached_on FROM rm_partnerships ${where}`,
      where.params,
    );
    return pipelineOf(
      rows.map((row) => ({ stage: row.stage, stageReachedOn: row.stage_reached_on })),
      period,
    );
  }

  async matrix(filters: PartnershipScope = {}): Promise<Matrix> {
    const where = whereInScope(new Where(), filters);
    const partnerships = await this.db.query<{ parties: string[]; sectors: string[]; status: string }>(
      `SELECT parties, sectors, status FROM rm_partnerships ${where}`,
      where.params,
    );
    const names = await organizationNames(
      this.db,
      partnerships.flatMap((p) => p.parties),
    );
    return matrixOf(partnerships, names);
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
