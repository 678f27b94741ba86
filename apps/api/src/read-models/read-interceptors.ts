import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { MinPositionInterceptor } from './min-position.interceptor';
import { ReadReplicaInterceptor } from './read-replica';

/**
 * The read side's interceptors as one, in their order (wait for `minPosition`, then choose the replica),
 * put on every GET route with `@ReadSide()`. Not a global interceptor: Nest would run it on every request,
 * commands included, and an interceptor costs each request it runs on two async resources and an
 * observable chain, however fast it returns; a route without any costs nothing.
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

/**
 * On a controller (every route of which is a GET) or on each GET route of a controller that also takes
 * commands: `?minPosition` is waited for, and the read-model queries go to the replica when there is one.
 * `read-interceptors.unit.spec.ts` checks that every GET route of the application has it and no other.
 */
export const ReadSide = () => UseInterceptors(ReadInterceptors);
