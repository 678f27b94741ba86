import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { invalidParameter, MAX_WHOLE_NUMBER, wholeNumberParameter } from '../http/parameters';
import { ProblemError } from '../http/problem';
import { ReadModels } from './read-models.service';

/** How long a read waits for the read models to reach `minPosition` before answering 503. */
export const MIN_POSITION_WAIT_MS = 5000;
/**
 * How long a position past the last committed one gets to appear before it is refused: a command's
 * position is committed before it is answered, so this matters only for a store that cannot tell its last
 * committed position apart from the head readers see.
 */
export const PAST_HEAD_GRACE_MS = 500;

export const MIN_POSITION_DESCRIPTION =
  'Wait (up to 5 s) until the read models have processed this global position, the `position` a command ' +
  'answered; a position past the end of the log is refused (400)';

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
 * Retry-After after 5 s. The answer says how far the read models were (`Read-Model-Position`).
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(private readonly readModels: ReadModels) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const raw = request.query?.minPosition;
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
        context.switchToHttp().getResponse<Response>().setHeader('Read-Model-Position', String(current));
        return next.handle();
      }),
    );
  }

  /** Whether the read models reached `position` in time; a position the log does not hold is a 400. */
  private async reach(position: number): Promise<boolean> {
    if (this.readModels.progress.current() >= position) return true;
    let budget = MIN_POSITION_WAIT_MS;
    if (position > (await this.lastPosition())) {
      if (await this.readModels.waitForPosition(position, PAST_HEAD_GRACE_MS)) return true;
      const last = await this.lastPosition();
      if (position > last) {
        throw invalidParameter(
          'minPosition',
          `minPosition ${position} is past the end of the log (position ${last}): it is not a position a command answered`,
        );
      }
      budget -= PAST_HEAD_GRACE_MS;
    }
    return this.readModels.waitForPosition(position, budget);
  }

  /**
   * The last committed position: a command's answer is at or below it as soon as it is sent, even while
   * older transactions keep it from readers (the settled head), so a loaded server never takes a real
   * position for one past the end.
   */
  private lastPosition(): Promise<number> {
    const store = this.readModels.store;
    return store.lastCommittedPosition ? store.lastCommittedPosition() : store.headPosition();
  }
}
