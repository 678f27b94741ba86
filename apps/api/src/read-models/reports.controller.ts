import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FeedbackReport, feedbackCsv, FeedbackReportQuery, isoDay } from '@passerelle/read-models';
import { CLOCK, Clock } from '@passerelle/application';
import { CAN_READ, Roles } from '../auth/roles';
import { ApiRead } from '../http/openapi';
import { daysInMonth, invalidParameter } from '../http/parameters';
import { FeedbackQuery } from './read-query.dto';
import { ReadSide } from './read-interceptors';
import type { Answer } from '../http/answer';

/** The same day a year earlier (28 February for 29 February), never before 0001-01-01. */
function aYearBefore(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  if (year <= 1) return '0001-01-01';
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(year - 1, 4)}-${pad(month)}-${pad(Math.min(date, daysInMonth(year - 1, month)))}`;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
@ReadSide()
export class ReportsController {
  constructor(
    private readonly reports: FeedbackReportQuery,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The feedback to GO-Biz and French diplomacy: per partnership, its parties, the stage reached, meetings
   * held, agreements and MOUs executed, projects and budgets in the period (business dates, inclusive).
   */
  @Get('feedback')
  @Roles(...CAN_READ)
  @ApiProduces('application/json', 'text/csv')
  @ApiRead('The feedback report for GO-Biz and French diplomacy (JSON or CSV)')
  async feedback(
    @Query() query: FeedbackQuery,
    @Res({ passthrough: true }) response: Answer,
  ): Promise<FeedbackReport | string> {
    const to = query.to ?? isoDay(this.clock.now());
    const from = query.from ?? aYearBefore(to);
    if (from > to) throw invalidParameter('from', 'from must not come after to');
    const report = await this.reports.report({ from, to });
    if (query.format !== 'csv') return report;
    response.header('Content-Type', 'text/csv; charset=utf-8');
    response.header('Content-Disposition', `attachment; filename="passerelle-feedback-${from}-${to}.csv"`);
    return feedbackCsv(report);
  }
}
