import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import type { Actor } from '@passerelle/application';
import { createRemoteJWKSet, errors, jwtVerify, JWTVerifyGetKey } from 'jose';
import { createSecretKey, KeyObject } from 'node:crypto';
import { ROLES, Role } from './roles';

export class InvalidTokenError extends Error {
  readonly code = 'invalid_token';
}

/** Tokens kept once verified (a client sends the same one with every request); the oldest unused go first. */
const VERIFIED_TOKENS_KEPT = 1000;

/** A verified token's actor, and the claims that bound its validity (seconds since the epoch). */
interface Verified {
  actor: Actor;
  exp: number;
  nbf: number | undefined;
}

/**
 * Verifies bearer tokens: HS256 with JWT_SECRET, or an external provider's JWKS. Never `alg: none`.
 * With JWT_SECRET, a token that verified is kept (bounded, least recently used first out, by the whole
 * token string, signature included) and, until then, its actor is answered without verifying the
 * signature again: the secret cannot change while the process runs. `exp` and `nbf` are checked at every
 * use as jose checks them; failures are never kept. With a JWKS every token is verified, as the provider
 * may withdraw a key at any time.
 */
@Injectable()
export class TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly verified = new Map<string, Verified>();

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
    const kept = this.verified.get(token);
    if (kept) {
      const now = Math.floor(Date.now() / 1000);
      if (kept.exp > now && (kept.nbf === undefined || kept.nbf <= now)) {
        // The most recently used goes last: the first in the map is the one to drop.
        this.verified.delete(token);
        this.verified.set(token, kept);
        return kept.actor;
      }
      // Expired (or not yet valid): verified again below, which says why it is refused.
      this.verified.delete(token);
    }
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
    const actor: Actor = Object.freeze({
      sub: String(payload.sub),
      roles: Object.freeze([...roles]) as Role[],
      ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
      ...(typeof payload.org === 'string' ? { org: payload.org } : {}),
    });
    if (this.key instanceof KeyObject && typeof payload.exp === 'number') {
      this.keep(token, {
        actor,
        exp: payload.exp,
        nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
      });
    }
    return actor;
  }

  private keep(token: string, verified: Verified): void {
    this.verified.set(token, verified);
    if (this.verified.size > VERIFIED_TOKENS_KEPT) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
  }
}
