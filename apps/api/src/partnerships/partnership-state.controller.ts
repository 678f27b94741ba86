import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { partnershipDecider, streamIdFor } from '@passerelle/domain';
import { type Actor, AggregateStreams, hasOneOf } from '@passerelle/application';
import { CurrentActor } from '../auth/actor.decorator';
import { CAN_READ, CAN_READ_HISTORY, Roles } from '../auth/roles';
import {
  instantOf,
  invalidParameter,
  MAX_WHOLE_NUMBER,
  UuidParameter,
  UuidPath,
  wholeNumberOf,
} from '../http/parameters';
import { ApiProblems, ApiRead } from '../http/openapi';
import { ProblemError } from '../http/problem';
import { ReadYourWrites } from '../read-models/min-position.interceptor';
import { ReadSide } from '../read-models/read-interceptors';
import { HistoryDocuments } from './history-documents';
import type { Answer } from '../http/answer';

/** `asOf` is an ISO instant (events recorded up to then) or a stream revision. */
export function parseAsOf(asOf: unknown): { toRevision?: number; asOf?: Date } {
  if (asOf === undefined || asOf === '') return {};
  const revision = wholeNumberOf(asOf, 0, MAX_WHOLE_NUMBER);
  if (revision !== undefined) return { toRevision: revision };
  const time = instantOf(asOf);
  if (!time) {
    throw invalidParameter(
      'asOf',
      `asOf must be a stream revision from 0 to ${MAX_WHOLE_NUMBER} or an ISO 8601 time (YYYY-MM-DD[THH:MM[:SS[.fraction]]][Z|±HH:MM])`,
    );
  }
  return { asOf: time };
}

@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('partnerships')
@ReadSide()
export class PartnershipStateController {
  constructor(
    @Inject(AggregateStreams) private readonly streams: AggregateStreams,
    @Inject(HistoryDocuments) private readonly histories: HistoryDocuments,
  ) {}

  /** The partnership folded from its events (not the read model), now or as of a past time or revision. */
  @Get(':id/state')
  @Roles(...CAN_READ)
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: `A stream revision (a whole number from 0 to ${MAX_WHOLE_NUMBER}) or an ISO 8601 time`,
    schema: {
      oneOf: [
        { type: 'integer', format: 'int64', minimum: 0, maximum: MAX_WHOLE_NUMBER },
        { type: 'string', format: 'date-time' },
      ],
    },
  })
  @ReadYourWrites()
  @UuidPath()
  @ApiRead('A partnership folded from its events, now or as of a time or revision', 'PartnershipState')
  @ApiProblems(404)
  async state(
    @Param('id', UuidParameter) id: string,
    @Query('asOf') asOf: unknown,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const bound = parseAsOf(asOf);
    const travels = bound.asOf !== undefined || bound.toRevision !== undefined;
    if (travels && !hasOneOf(actor, CAN_READ_HISTORY)) {
      throw new ProblemError(403, 'forbidden', 'Time travel is for officers and auditors');
    }
    const folded = await this.streams.load(streamIdFor.partnership(id), partnershipDecider, bound);
    if (folded.revision < 0) {
      throw new ProblemError(
        404,
        'partnership.not_found',
        travels ? `No partnership ${id} as of ${String(asOf)}` : `No partnership ${id}`,
      );
    }
    response.header('ETag', `"${folded.revision}"`);
    const last = folded.events[folded.events.length - 1]!;
    return {
      ...folded.state,
      revision: folded.revision,
      position: last.position,
      asOf: last.recordedAt.toISOString(),
    };
  }

  /** Every event of the partnership with its metadata, upcast to the current schema. */
  @Get(':id/history')
  @Roles(...CAN_READ_HISTORY)
  @ReadYourWrites()
  @UuidPath()
  @ApiRead('Every event of a partnership, with its metadata', 'History')
  @ApiProblems(404)
  async history(@Param('id', UuidParameter) id: string, @Res() response: Answer): Promise<void> {
    // Read, not folded: nothing here needs the state. The bytes are sent as kept, with their ETag, so
    // nothing encodes or hashes 3 MB again, and If-None-Match still answers 304 (answerNotModified).
    const document = await this.histories.read(id);
    if (document === null) throw new ProblemError(404, 'partnership.not_found', `No partnership ${id}`);
    response
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('ETag', document.etag)
      .send(document.body);
  }
}
