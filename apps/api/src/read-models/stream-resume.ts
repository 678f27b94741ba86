import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import { MAX_WHOLE_NUMBER, wholeNumberParameter } from '../http/parameters';
import { ReadYourWrites } from './min-position.interceptor';

/** How a client resumes the live stream: the `Last-Event-ID` header (as EventSource sends it) or `?after=`. */
export const ResumeParameters = () =>
  applyDecorators(
    ApiHeader({
      name: 'Last-Event-ID',
      required: false,
      description: `Replay changes after this global position (a whole number from 0 to ${MAX_WHOLE_NUMBER})`,
      schema: { type: 'integer', format: 'int64', minimum: 0, maximum: MAX_WHOLE_NUMBER },
    }),
    ApiQuery({
      name: 'after',
      required: false,
      description: 'Replay changes after this global position (for clients that cannot set headers)',
      schema: { type: 'integer', format: 'int64', minimum: 0, maximum: MAX_WHOLE_NUMBER },
    }),
    ReadYourWrites(),
  );

/** The position to resume after, from `Last-Event-ID` (which wins) or `after`; each checked when present. */
export function resumePosition(lastEventId: string | undefined, after: unknown): number | undefined {
  const fromHeader =
    lastEventId === undefined
      ? undefined
      : wholeNumberParameter(lastEventId, 'Last-Event-ID', 0, MAX_WHOLE_NUMBER);
  const fromQuery =
    after === undefined ? undefined : wholeNumberParameter(after, 'after', 0, MAX_WHOLE_NUMBER);
  return fromHeader ?? fromQuery;
}
