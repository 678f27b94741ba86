import { SignJWT } from 'jose';
import type { Role } from './actor';

export interface TokenClaims {
  sub: string;
  name?: string;
  roles: Role[];
  org?: string;
}

/** Signs an HS256 token, for development and tests (production tokens come from the identity provider). */
export async function mintToken(
  secret: string,
  claims: TokenClaims,
  options: { expiresIn?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({ name: claims.name, roles: claims.roles, org: claims.org })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
