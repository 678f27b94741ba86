import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import type { Actor } from '@passerelle/application';
import { createRemoteJWKSet, errors, jwtVerify, JWTVerifyGetKey } from 'jose';
import { createSecretKey, KeyObject } from 'node:crypto';
import { ROLES, Role } from './roles';

export class InvalidTokenError extends Error {
  readonly code = 'invalid_token';
}

/** Verifies bearer tokens: HS256 with JWT_SECRET, or an external provider's JWKS. Never `alg: none`. */
@Injectable()
export class TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.jwt.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(config.jwt.jwksUrl));
      this.algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
    } else {
      // One KeyObject for the process: given bytes, jose would import them into a new one per request.
      this.key = createSecretKey(Buffer.from(config.jwt.secret ?? '', 'utf8'));
      this.algorithms = ['HS256'];
    }
  }

  async verify(token: string): Promise<Actor> {
    let payload: Record<string, unknown>;
    try {
      const options = {
        algorithms: this.algorithms,
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        requiredClaims: ['sub', 'exp'],
      };
      const result =
        this.key instanceof KeyObject
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options);
      payload = result.payload;
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
      throw new InvalidTokenError(`Invalid bearer token (${reason})`);
    }
    const roles = payload.roles;
    if (!Array.isArray(roles) || !roles.every((r): r is Role => ROLES.includes(r as Role))) {
      throw new InvalidTokenError('The token has no valid roles claim');
    }
    return {
      sub: String(payload.sub),
      roles,
      ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
      ...(typeof payload.org === 'string' ? { org: payload.org } : {}),
    };
  }
}
