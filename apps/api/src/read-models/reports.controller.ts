import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FeedbackReport, feedbackCsv, FeedbackReportQuery, isoDay } from '@passerelle/read-models';
import type { Response } from 'express';
import { CLOCK, Clock } from '../application/clock';
import { CAN_READ, Roles } from '../auth/roles';
import { ProblemError } from '../http/problem';
import { FeedbackQuery } from './read-query.dto';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
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
  async feedback(
    @Query() query: FeedbackQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FeedbackReport | string> {
    const to = query.to ?? isoDay(this.clock.now());
    const from = query.from ?? `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
      throw new ProblemError(400, 'validation', 'from and to must be real calendar dates');
    }
    if (from > to) throw new ProblemError(400, 'validation', 'from must not come after to');
    const report = await this.reports.report({ from, to });
    if (query.format !== 'csv') return report;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="passerelle-feedback-${from}-${to}.csv"`);
    return feedbackCsv(report);
  }
}
