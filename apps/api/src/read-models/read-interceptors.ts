import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { MinPositionInterceptor } from './min-position.interceptor';
import { ReadReplicaInterceptor } from './read-replica';

/**
 * The read side's interceptors as one global interceptor, in their order (wait for `minPosition`, then
 * choose the replica). Nest runs every global interceptor on every request, commands included, and
 * each one costs an async resource and an observable chain however fast it returns.
 */
@Injectable()
export class ReadInterceptors implements NestInterceptor {
  constructor(
    private readonly minPosition: MinPositionInterceptor,
    private readonly replica: ReadReplicaInterceptor,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return this.minPosition.intercept(context, { handle: () => this.replica.intercept(context, next) });
  }
}
