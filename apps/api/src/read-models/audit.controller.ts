import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@passerelle/event-store';
import { PersonalDataEventStore, STORED_EVENT_STORE } from '@passerelle/privacy';
import { AuditFilters, AuditLogQuery, IntegrityReport, verifyIntegrity } from '@passerelle/read-models';
import { CAN_AUDIT, Roles } from '../auth/roles';
import { type Answer, sendJsonLines } from '../http/answer';
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
  async events(@Query() query: AuditEventsQuery, @Res() response: Answer): Promise<void> {
    const filters: AuditFilters = {
      actor: query.actor,
      types: query.type?.split(','),
      from: instantOf(query.from),
      to: instantOf(query.to),
    };
    if (query.format !== 'jsonl') {
      response.send(await this.log.page(filters, { after: query.after, limit: query.limit }));
      return;
    }
    sendJsonLines(response, 'passerelle-audit.jsonl', this.log.all(filters, query.after ?? 0));
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
