import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Actor, hasOneOf } from '@passerelle/application';
import type { Request } from 'express';
import { ProblemError } from '../http/problem';
import { PUBLIC_KEY, Role, ROLES_KEY } from './roles';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

export type AuthenticatedRequest = Request & { actor?: Actor };

/** Every route needs a valid token and one of its roles, unless it is @Public(). Admin passes everywhere. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
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
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (hasOneOf(request.actor, allowed)) return true;
    throw new ProblemError(
      403,
      'forbidden',
      `This action needs one of the roles: ${['admin', ...allowed].join(', ')}`,
    );
  }
}
