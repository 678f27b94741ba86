import type { SqlExecutor } from '@passerelle/database';
import { CALIFORNIA_COUNTRY, FRANCE_COUNTRY, LifecycleStage, Partnership, STAGES } from '@passerelle/domain';
import type { StageDates } from '../projections/partnerships/partnership-row';
import { OrganizationName, organizationNames } from './common';

export interface ReportPeriod {
  /** Inclusive, YYYY-MM-DD. */
  from: string;
  /** Inclusive, YYYY-MM-DD. */
  to: string;
}

export interface FeedbackLine {
  partnershipId: string;
  title: string;
  parties: { id: string; name: string; country: string }[];
  sectors: string[];
  axes: string[];
  /** Where it stands now (side states included). */
  stage: string;
  /** The furthest lifecycle stage reached by the end of the period. */
  stageReached: LifecycleStage | null;
  meetingsHeld: { meetingId: string; heldAt: string; outcome: string | null }[];
  agreementsExecuted: { agreementId: string; title: string; executedOn: string; expiresOn: string | null }[];
  mousExecuted: { mouId: string; title: string; executedOn: string }[];
  /** Joint projects running at some point of the period (started by its end, not completed before its start). */
  projects: {
    projectId: string;
    title: string;
    startsOn: string;
    status: string;
    budget: { amount: number; currency: string };
    fundingSources: string[];
    launchedInPeriod: boolean;
  }[];
}

export interface FeedbackReport {
  period: ReportPeriod;
  totals: {
    partnerships: number;
    meetingsHeld: number;
    agreementsExecuted: number;
    mousExecuted: number;
    projects: number;
    /** Sum of the budgets of those projects, per currency. */
    budgets: Record<string, number>;
    /** Partnerships per furthest stage reached by the end of the period. */
    stageReached: Record<string, number>;
  };
  partnerships: FeedbackLine[];
}

const within = (date: string | null | undefined, period: ReportPeriod): date is string =>
  typeof date === 'string' && date.slice(0, 10) >= period.from && date.slice(0, 10) <= period.to;

/** Pure: one report line per partnership that existed by the end of the period. */
export function feedbackOf(
  rows: { state: Partnership; stageReachedOn: StageDates }[],
  names: Map<string, OrganizationName>,
  period: ReportPeriod,
): FeedbackReport {
  const lines: FeedbackLine[] = [];
  for (const { state, stageReachedOn } of rows) {
    const proposedOn = stageReachedOn.proposed ?? state.proposedOn;
    if (proposedOn > period.to) continue;
    const reached = STAGES.filter((stage) => {
      const on = stageReachedOn[stage];
      return on !== null && on <= period.to;
    });
    lines.push({
      partnershipId: state.id,
      title: state.title,
      parties: state.parties.map((id) => ({
        id,
        name: names.get(id)?.name ?? '(unknown organisation)',
        country: names.get(id)?.country ?? '',
      })),
      sectors: state.sectors,
      axes: state.axes,
      stage: state.stage,
      stageReached: reached[reached.length - 1] ?? null,
      meetingsHeld: state.meetings
        .filter((m) => m.status === 'held' && within(m.heldOn ?? m.heldAt, period))
        .map((m) => ({ meetingId: m.meetingId, heldAt: m.heldAt!, outcome: m.outcome })),
      agreementsExecuted: state.agreements
        .filter((a) => within(a.executedOn, period))
        .map((a) => ({
          agreementId: a.agreementId,
          title: a.title,
          executedOn: a.executedOn!,
          expiresOn: a.expiresOn,
        })),
      mousExecuted: state.mous
        .filter((m) => within(m.executedOn, period))
        .map((m) => ({ mouId: m.mouId, title: m.title, executedOn: m.executedOn! })),
      projects: state.projects
        .filter((p) => p.startsOn <= period.to && (p.completedOn === null || p.completedOn >= period.from))
        .map((p) => ({
          projectId: p.projectId,
          title: p.title,
          startsOn: p.startsOn,
          status: p.status,
          budget: p.budget,
          fundingSources: p.fundingSources,
          launchedInPeriod: within(p.startsOn, period),
        })),
    });
  }
  lines.sort((a, b) => a.title.localeCompare(b.title) || a.partnershipId.localeCompare(b.partnershipId));
  const budgets: Record<string, number> = {};
  const stageReached: Record<string, number> = {};
  for (const line of lines) {
    for (const project of line.projects) {
      budgets[project.budget.currency] = (budgets[project.budget.currency] ?? 0) + project.budget.amount;
    }
    if (line.stageReached) stageReached[line.stageReached] = (stageReached[line.stageReached] ?? 0) + 1;
  }
  return {
    period,
    totals: {
      partnerships: lines.length,
      meetingsHeld: lines.reduce((n, line) => n + line.meetingsHeld.length, 0),
      agreementsExecuted: lines.reduce((n, line) => n + line.agreementsExecuted.length, 0),
      mousExecuted: lines.reduce((n, line) => n + line.mousExecuted.length, 0),
      projects: lines.reduce((n, line) => n + line.projects.length, 0),
      budgets,
      stageReached,
    },
    partnerships: lines,
  };
}

/** A cell as RFC 4180 wants it, and never read as a formula by a spreadsheet. */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const FEEDBACK_CSV_COLUMNS = [
  'partnership_id',
  'title',
  'california_parties',
  'france_parties',
  'sectors',
  'stage',
  'stage_reached',
  'meetings_held',
  'agreements_executed',
  'mous_executed',
  'projects',
  'budgets',
] as const;

/** One line per partnership; lists inside a cell are separated by "; ". */
export function feedbackCsv(report: FeedbackReport): string {
  const names = (line: FeedbackLine, country: string) =>
    line.parties
      .filter((p) => p.country === country)
      .map((p) => p.name)
      .join('; ');
  const lines = report.partnerships.map((line) => {
    const budgets: Record<string, number> = {};
    for (const p of line.projects)
      budgets[p.budget.currency] = (budgets[p.budget.currency] ?? 0) + p.budget.amount;
    return [
      line.partnershipId,
      line.title,
      names(line, CALIFORNIA_COUNTRY),
      names(line, FRANCE_COUNTRY),
      line.sectors.join('; '),
      line.stage,
      line.stageReached ?? '',
      line.meetingsHeld.length,
      line.agreementsExecuted.map((a) => `${a.title} (${a.executedOn})`).join('; '),
      line.mousExecuted.map((m) => `${m.title} (${m.executedOn})`).join('; '),
      line.projects.map((p) => p.title).join('; '),
      Object.entries(budgets)
        .map(([currency, amount]) => `${amount} ${currency}`)
        .join('; '),
    ]
      .map(csvCell)
      .join(',');
  });
  return [FEEDBACK_CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}

export class FeedbackReportQuery {
  constructor(private readonly db: SqlExecutor) {}

  async report(period: ReportPeriod): Promise<FeedbackReport> {
    const rows = await this.db.query<{ state: Partnership; stage_reached_on: StageDates }>(
      'SELECT state, stage_reached_on FROM rm_partnerships',
    );
    const names = await organizationNames(
      this.db,
      rows.flatMap((row) => row.state.parties),
    );
    return feedbackOf(
      rows.map((row) => ({ state: row.state, stageReachedOn: row.stage_reached_on })),
      names,
      period,
    );
  }
}
