import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@passerelle/event-store';
import { PersonalDataEventStore, STORED_EVENT_STORE } from '@passerelle/privacy';
import { AuditFilters, AuditLogQuery, IntegrityReport, verifyIntegrity } from '@passerelle/read-models';
import type { Response } from 'express';
import { once } from 'node:events';
import { CAN_AUDIT, Roles } from '../auth/roles';
import { ApiRead } from '../http/openapi';
import { instantOf } from '../http/parameters';
import { ReadModels } from './read-models.service';
import { AuditEventsQuery } from './read-query.dto';
import { IntegrityCheck } from '../privacy/integrity/integrity-check';
import type { IntegrityResult } from '@passerelle/privacy';
import { ReadYourWrites } from './min-position.interceptor';
import { ReadSide } from './read-interceptors';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
@ReadSide()
export class AuditController {
  constructor(
    private readonly log: AuditLogQuery,
    private readonly readModels: ReadModels,
    @Inject(STORED_EVENT_STORE) private readonly stored: EventStore,
    private readonly integrity: IntegrityCheck,
  ) {}

  /**
   * The global log, filtered by actor, type and recorded time; paged by position (`after`, `nextAfter`).
   * `format=jsonl` streams every match as JSON Lines.
   */
  @Get('events')
  @Roles(...CAN_AUDIT)
  @ApiProduces('application/json', 'application/jsonl')
  @ApiRead('The global log, filtered and paged, or exported as JSON Lines')
  async events(@Query() query: AuditEventsQuery, @Res() response: Response): Promise<void> {
    const filters: AuditFilters = {
      actor: query.actor,
      types: query.type?.split(','),
      from: instantOf(query.from),
      to: instantOf(query.to),
    };
    if (query.format !== 'jsonl') {
      response.json(await this.log.page(filters, { after: query.after, limit: query.limit }));
      return;
    }
    response.status(200);
    response.setHeader('Content-Type', 'application/jsonl; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="passerelle-audit.jsonl"');
    try {
      for await (const event of this.log.all(filters, query.after ?? 0)) {
        if (response.destroyed) return;
        if (!response.write(`${JSON.stringify(event)}\n`)) await once(response, 'drain');
      }
      response.end();
    } catch (error) {
      // The status line is gone: all that is left is to cut the stream so the export is visibly incomplete.
      response.destroy(error instanceof Error ? error : undefined);
    }
  }

  /**
   * The integrity report: revisions contiguous, positions increasing, every event decodes and upcasts, hash
   * chains hold (over the events as stored, personal data encrypted), and each read model equals a fresh
   * rebuild from the log; and every signed head of the log (`signedHeads`, see `/audit/integrity`).
   */
  @Get('verify')
  @Roles(...CAN_AUDIT)
  @ReadYourWrites()
  @ApiRead('Check the integrity of the whole log')
  async verify(): Promise<IntegrityReport & { signedHeads: IntegrityResult['heads'] }> {
    const signed = await this.integrity.signedHeads();
    const opened = this.readModels.openedStore;
    const report = await verifyIntegrity({
      client: this.readModels.client,
      store: opened,
      storedStore: this.stored,
      projectionStore: this.readModels.store,
      projections: this.readModels.projections,
      ...(opened instanceof PersonalDataEventStore ? { open: (events) => opened.open(events) } : {}),
      observe: (events) => {
        for (const event of events) signed.event(event);
      },
    });
    const heads = signed.finish();
    return { ...report, ok: report.ok && heads.failed === 0, signedHeads: heads };
  }
}
