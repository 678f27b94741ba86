import { Controller, Get, Headers, Inject, MessageEvent, Query, Res, Sse } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DashboardQuery, Matrix, Pipeline, Upcoming } from '@passerelle/read-models';
import { interval, map, merge, Observable } from 'rxjs';
import { CLOCK, Clock } from '@passerelle/application';
import { CAN_READ, Roles } from '../auth/roles';
import { ApiRead } from '../http/openapi';
import { invalidParameter } from '../http/parameters';
import { ResumeParameters, resumePosition } from './stream-resume';
import { ReadModels } from './read-models.service';
import { ActivityQuery, DashboardFilterQuery, PipelineQuery, ReadQuery } from './read-query.dto';
import { readerLanguage } from './reader-language';
import { ReadSide } from './read-interceptors';
import type { Answer } from '../http/answer';

const HEARTBEAT_MS = 25_000;

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
@ReadSide()
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardQuery,
    private readonly readModels: ReadModels,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Partnerships per stage, conversion between consecutive stages, and median business days per step; with
   * `from`/`to`, conversion and medians over that period of business dates.
   */
  @Get('pipeline')
  @Roles(...CAN_READ)
  @ApiRead('Partnerships per stage, conversion and median days between stages', 'Pipeline')
  pipeline(@Query() query: PipelineQuery): Promise<Pipeline> {
    const { from, to, ...filters } = query;
    if (from && to && from > to) throw invalidParameter('from', 'from must not come after to');
    return this.dashboard.pipeline(filters, { from, to });
  }

  /** California organisations × French organisations: partnerships linking each pair, by sector. */
  @Get('matrix')
  @Roles(...CAN_READ)
  @ApiRead('California organisations × French organisations', 'Matrix')
  matrix(@Query() query: DashboardFilterQuery): Promise<Matrix> {
    return this.dashboard.matrix(query);
  }

  /** The latest events in plain words, newest first, in English or French (`Content-Language` says which). */
  @Get('activity')
  @Roles(...CAN_READ)
  @ApiResponse({ status: 200, description: 'OK', schema: { $ref: '#/components/schemas/ActivityPage' } })
  @ApiOperation({
    summary: 'The latest events in plain words, newest first',
    description:
      'Sentences in `lang` (`en` or `fr`); without it, in the first of English and French that `Accept-Language` ' +
      'prefers; else in English. `Content-Language` names the language of the answer.',
  })
  @ApiHeader({
    name: 'Accept-Language',
    required: false,
    description: 'Used when `lang` is absent, e.g. `fr-FR,fr;q=0.9`',
  })
  activity(
    @Query() query: ActivityQuery,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const language = query.lang ?? readerLanguage(acceptLanguage);
    response.header('Content-Language', language);
    response.header('Vary', 'Accept-Language');
    return this.dashboard.activity({
      limit: query.limit,
      before: query.before,
      partnershipId: query.partnershipId,
      language,
    });
  }

  /** Meetings in the next 30 days, signatures awaited, agreements ending within 90 days. */
  @Get('upcoming')
  @Roles(...CAN_READ)
  @ApiRead('Meetings, awaited signatures and agreements ending soon', 'Upcoming')
  upcoming(@Query() _query: ReadQuery): Promise<Upcoming> {
    return this.dashboard.upcoming(this.clock.now());
  }

  /** Server-sent events: `{ position, type, partnershipId, organizationId }` once the read models show it. */
  @Sse('stream')
  @Roles(...CAN_READ)
  @ApiQuery({
    name: 'access_token',
    required: false,
    description: 'For EventSource, which cannot set headers',
  })
  @ResumeParameters()
  @ApiRead('Live changes as server-sent events')
  stream(
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: unknown,
  ): Observable<MessageEvent> {
    return changeStream(this.readModels, resumePosition(lastEventId, after));
  }
}

/** The live stream; also served at `/api/stream`. */
export function changeStream(
  readModels: ReadModels,
  resumeFrom: number | undefined,
): Observable<MessageEvent> {
  const changes = new Observable<MessageEvent>((subscriber) => {
    const subscription = readModels.changes.subscribe(
      (change) => subscriber.next({ id: String(change.position), data: change }),
      resumeFrom === undefined ? {} : { after: resumeFrom },
    );
    return () => subscription.close();
  });
  // Keeps proxies from closing an idle stream; carries no `type`, so clients do not take it for a change.
  const heartbeat = interval(HEARTBEAT_MS).pipe(
    map((): MessageEvent => ({ type: 'heartbeat', data: { position: readModels.progress.current() } })),
  );
  return merge(changes, heartbeat);
}
