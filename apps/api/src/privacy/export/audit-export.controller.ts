import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { SqlClient } from '@passerelle/database';
import { streamIdFor } from '@passerelle/domain';
import type { EventStore } from '@passerelle/event-store';
import { notificationStreamFor } from '@passerelle/notifications';
import {
  auditExportRecords,
  ExportScope,
  HeadSigner,
  listSignedHeads,
  listSigningKeySuccessions,
  STORED_EVENT_STORE,
} from '@passerelle/privacy';
import { CAN_AUDIT, Roles } from '../../auth/roles';
import { type Answer, sendJsonLines } from '../../http/answer';
import { ApiProblems } from '../../http/openapi';
import { ProblemError } from '../../http/problem';
import { SQL_CLIENT } from '@passerelle/application';
import { ReadQuery } from '../../read-models/read-query.dto';
import { ReadSide } from '../../read-models/read-interceptors';

export class AuditExportQuery extends ReadQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Only this partnership's streams (its events and its e-mail records)",
  })
  @IsOptional()
  @IsUUID()
  partnershipId?: string;
}

/** The streams of one partnership: its own, and the record of the e-mails it sent. */
const partnershipStreams = (partnershipId: string): string[] => [
  streamIdFor.partnership(partnershipId),
  notificationStreamFor(partnershipId),
];

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
@Roles(...CAN_AUDIT)
@ReadSide()
export class AuditExportController {
  constructor(
    @Inject(STORED_EVENT_STORE) private readonly stored: EventStore,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    private readonly signer: HeadSigner,
  ) {}

  @Get('export')
  @ApiOperation({
    summary: 'The evidence pack: events as stored, their hashes, the signed heads and their public keys',
    description:
      'JSON Lines (docs/audit-export.md), checked offline by `npm run verify-export`. The head is signed first, so every exported event is covered by a signature.',
  })
  @ApiProduces('application/jsonl')
  @ApiOkResponse({ description: 'The evidence pack, one JSON document per line' })
  @ApiProblems(404)
  async export(@Query() query: AuditExportQuery, @Res() response: Answer): Promise<void> {
    const { partnershipId } = query;
    if (partnershipId) {
      const [first] = await this.stored.readStream(streamIdFor.partnership(partnershipId), { maxCount: 1 });
      if (!first) throw new ProblemError(404, 'partnership.not_found', `No partnership ${partnershipId}`);
    }
    const scope: ExportScope = partnershipId
      ? { kind: 'partnership', partnershipId, streams: partnershipStreams(partnershipId) }
      : { kind: 'log' };
    const covering = await this.signer.signHeadWithStreams();
    const heads = scope.kind === 'log' ? await listSignedHeads(this.sql) : [];
    const records = auditExportRecords({
      store: this.stored,
      heads,
      successions: await listSigningKeySuccessions(this.sql),
      covering,
      scope,
      exportedAt: new Date(),
    });

    const name = `passerelle-export-${partnershipId ?? 'log'}-${covering?.head.position ?? 0}.jsonl`;
    sendJsonLines(response, name, records);
  }
}
