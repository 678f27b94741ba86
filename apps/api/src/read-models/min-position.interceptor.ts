import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { ProblemError } from '../http/problem';
import { ReadModels } from './read-models.service';

/** How long a read waits for the read models to reach `minPosition` before answering 503. */
export const MIN_POSITION_WAIT_MS = 5000;

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
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
      throw new ProblemError(400, 'validation', 'minPosition must be a global position (a whole number)');
    }
    const position = Number(raw);
    return from(this.readModels.waitForPosition(position, MIN_POSITION_WAIT_MS)).pipe(
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
}
