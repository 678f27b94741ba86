import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Actor, hasOneOf } from '@passerelle/application';
import type { HttpRequest } from '../http/answer';
import { ProblemError } from '../http/problem';
import { PUBLIC_KEY, Role, ROLES_KEY } from './roles';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

export type AuthenticatedRequest = HttpRequest & { actor?: Actor };

/** Every route needs a valid token and one of its roles, unless it is @Public(). Admin passes everywhere. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Each route's `@Public()` and `@Roles()`, read from its metadata once (they are fixed at start-up). */
  private readonly routes = new WeakMap<object, Map<object, { isPublic: boolean; allowed: Role[] }>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  private routeOf(context: ExecutionContext): { isPublic: boolean; allowed: Role[] } {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.routes.get(handler);
    if (byController === undefined) {
      byController = new Map();
      this.routes.set(handler, byController);
    }
    let route = byController.get(controller);
    if (route === undefined) {
      const targets = [handler, controller];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        allowed: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [],
      };
      byController.set(controller, route);
    }
    return route;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, allowed } = this.routeOf(context);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ProblemError(401, 'unauthenticated', 'A bearer token is required');
    try {
      request.actor = await this.verifier.verify(match[1]!);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new ProblemError(401, 'unauthenticated', error.message);
      throw error;
    }
    if (hasOneOf(request.actor, allowed)) return true;
    throw new ProblemError(
      403,
      'forbidden',
      `This action needs one of the roles: ${['admin', ...allowed].join(', ')}`,
    );
  }
}
