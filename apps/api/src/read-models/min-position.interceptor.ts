import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Answer, HttpRequest } from '../http/answer';
import { from, Observable, switchMap } from 'rxjs';
import { MAX_WHOLE_NUMBER, wholeNumberParameter } from '../http/parameters';
import { ProblemError } from '../http/problem';
import { ReadModels } from './read-models.service';

/** How long a read waits for the read models to reach `minPosition` before answering 503. */
export const MIN_POSITION_WAIT_MS = 5000;

export const MIN_POSITION_DESCRIPTION =
  'Wait (up to 5 s) until the read models have processed this global position, the `position` a command ' +
  'answered, then answer 503 with Retry-After; a position past the end of the log waits the same way, as a ' +
  'write may reach it meanwhile';

/** Documents `minPosition` on a route whose query has no DTO (the DTOs extend `ReadQuery`). */
export const ReadYourWrites = () =>
  ApiQuery({
    name: 'minPosition',
    required: false,
    description: MIN_POSITION_DESCRIPTION,
    schema: { type: 'integer', format: 'int64', minimum: 0, maximum: MAX_WHOLE_NUMBER },
  });

/**
 * Read your writes, in one place for every GET: `?minPosition=<global position>` (the `position` a
 * command answered) holds the request until every projection has processed it, or answers 503 with
 * Retry-After after 5 s. A position past the end of the log is no exception (the product's contract): a
 * write may still reach it within the 5 s, and nothing here can tell a client's future position from a
 * mistaken one. Only a value that is not a position at all is a 400. The answer says how far the read
 * models were (`Read-Model-Position`).
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(private readonly readModels: ReadModels) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (raw === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return next.handle();
    const position = wholeNumberParameter(raw, 'minPosition', 0, MAX_WHOLE_NUMBER);
    return from(this.reach(position)).pipe(
      switchMap((reached) => {
        const current = this.readModels.progress.current();
        if (!reached) {
          throw new ProblemError(
            503,
            'read_model_behind',
            `The read models have not reached position ${position} yet (they are at ${current}); retry shortly`,
            { minPosition: position, position: current },
            { 'Retry-After': '1' },
          );
        }
        context.switchToHttp().getResponse<Answer>().header('Read-Model-Position', String(current));
        return next.handle();
      }),
    );
  }

  /** Whether the read models reached `position` within MIN_POSITION_WAIT_MS. */
  private async reach(position: number): Promise<boolean> {
    if (this.readModels.progress.current() >= position) return true;
    return this.readModels.waitForPosition(position, MIN_POSITION_WAIT_MS);
  }
}
