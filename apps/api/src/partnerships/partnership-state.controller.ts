import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { partnershipDecider, streamIdFor, upcast } from '@passerelle/domain';
import type { Actor } from '@passerelle/event-store';
import type { Response } from 'express';
import { CommandExecutor } from '../application/command-executor';
import { CurrentActor } from '../auth/actor.decorator';
import { CAN_READ, CAN_READ_HISTORY, Roles } from '../auth/roles';
import { ProblemError } from '../http/problem';

/** `asOf` is an ISO instant (events recorded up to then) or a revision number. */
export function parseAsOf(asOf: string | undefined): { toRevision?: number; asOf?: Date } {
  if (asOf === undefined || asOf === '') return {};
  if (/^\d{1,15}$/.test(asOf)) return { toRevision: Number(asOf) };
  const time = new Date(asOf);
  if (!/^\d{4}-\d{2}-\d{2}/.test(asOf) || Number.isNaN(time.getTime())) {
    throw new ProblemError(400, 'validation', 'asOf must be an ISO 8601 time or a stream revision number');
  }
  return { asOf: time };
}

@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('partnerships')
export class PartnershipStateController {
  constructor(@Inject(CommandExecutor) private readonly executor: CommandExecutor) {}

  /** The partnership folded from its events (not the read model), now or as of a past time or revision. */
  @Get(':id/state')
  @Roles(...CAN_READ)
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 time or stream revision' })
  async state(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('asOf') asOf: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ) {
    const bound = parseAsOf(asOf);
    if (asOf && !actor.roles.some((r) => r === 'admin' || CAN_READ_HISTORY.includes(r as never))) {
      throw new ProblemError(403, 'forbidden', 'Time travel is for officers and auditors');
    }
    const folded = await this.executor.load(streamIdFor.partnership(id), partnershipDecider, bound);
    if (folded.revision < 0) {
      throw new ProblemError(
        404,
        'partnership.not_found',
        asOf ? `No partnership ${id} as of ${asOf}` : `No partnership ${id}`,
      );
    }
    response.setHeader('ETag', `"${folded.revision}"`);
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
  async history(@Param('id', new ParseUUIDPipe()) id: string) {
    const { events, revision } = await this.executor.load(streamIdFor.partnership(id), partnershipDecider);
    if (revision < 0) throw new ProblemError(404, 'partnership.not_found', `No partnership ${id}`);
    return {
      id,
      revision,
      events: events.map((event) => {
        const current = upcast(event);
        return {
          id: event.id,
          type: current.type,
          version: current.version,
          storedVersion: event.version,
          data: current.data,
          metadata: event.metadata,
          revision: event.revision,
          position: event.position,
          recordedAt: event.recordedAt.toISOString(),
          hash: event.hash,
        };
      }),
    };
  }
}
