import { Controller, Headers, MessageEvent, Query, Sse } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { CAN_READ, Roles } from '../auth/roles';
import { ApiRead } from '../http/openapi';
import { changeStream } from './dashboard.controller';
import { ResumeParameters, resumePosition } from './stream-resume';
import { ReadModels } from './read-models.service';
import { ReadSide } from './read-interceptors';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('stream')
@ReadSide()
export class StreamController {
  constructor(private readonly readModels: ReadModels) {}

  /** Server-sent events of projected changes (same as `/api/dashboard/stream`). */
  @Sse()
  @Roles(...CAN_READ)
  @ApiQuery({
    name: 'access_token',
    required: false,
    description: 'For EventSource, which cannot set headers',
  })
  @ResumeParameters()
  @ApiRead('Live changes as server-sent events (also at /api/dashboard/stream)')
  stream(
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: unknown,
  ): Observable<MessageEvent> {
    return changeStream(this.readModels, resumePosition(lastEventId, after));
  }
}
