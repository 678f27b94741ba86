import type { AppConfig } from '@passerelle/config';
import { SignJWT } from 'jose';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

const SECRET = 'token-verifier-secret-that-is-long-enough';
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const seconds = (ms: number) => Math.floor(ms / 1000);

function verifier(secret = SECRET): TokenVerifier {
  return new TokenVerifier({ jwt: { secret, usingDevelopmentSecret: false } } as AppConfig);
}

function token(claims: { sub?: string; exp: number; nbf?: number }, secret = SECRET): Promise<string> {
  let jwt = new SignJWT({ roles: ['officer'], name: 'Ada' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? 'user-1')
    .setIssuedAt(seconds(T0))
    .setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(new TextEncoder().encode(secret));
}

async function refusal(verifying: Promise<unknown>): Promise<string> {
  const error = await verifying.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as Error).message;
}

describe('TokenVerifier', () => {
  beforeEach(() =>
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }),
  );
  afterEach(() => jest.useRealTimers());

  it('answers a token it verified with the same actor until it expires, then refuses it', async () => {
    const verify = verifier();
    const jwt = await token({ exp: seconds(T0) + 60 });
    const first = await verify.verify(jwt);
    expect(first).toEqual({ sub: 'user-1', roles: ['officer'], name: 'Ada' });
    expect(Object.isFrozen(first)).toBe(true);
    // Kept: the very same actor, its signature not checked again.
    expect(await verify.verify(jwt)).toBe(first);

    jest.setSystemTime(T0 + 59_999);
    expect(await verify.verify(jwt)).toBe(first);
    // jose refuses a token at its `exp` second; so does the kept one.
    jest.setSystemTime(T0 + 60_000);
    expect(await refusal(verify.verify(jwt))).toBe('Invalid bearer token (ERR_JWT_EXPIRED)');
    jest.setSystemTime(T0);
    // Dropped when it expired: verified again in full (a new actor), valid at that time.
    const again = await verify.verify(jwt);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it('checks nbf at every use, and never keeps a refusal', async () => {
    const verify = verifier();
    const early = await token({ nbf: seconds(T0) + 30, exp: seconds(T0) + 600 });
    expect(await refusal(verify.verify(early))).toBe(
      'Invalid bearer token (ERR_JWT_CLAIM_VALIDATION_FAILED)',
    );
    jest.setSystemTime(T0 + 30_000);
    const actor = await verify.verify(early);
    expect(actor.sub).toBe('user-1');
    expect(await verify.verify(early)).toBe(actor);
    // The clock set back before nbf: a kept token is not valid then either.
    jest.setSystemTime(T0 + 29_000);
    expect(await refusal(verify.verify(early))).toBe(
      'Invalid bearer token (ERR_JWT_CLAIM_VALIDATION_FAILED)',
    );
  });

  it('refuses a token signed with another secret, however often it is sent', async () => {
    const verify = verifier();
    const forged = await token({ exp: seconds(T0) + 60 }, 'another-secret-that-is-long-enough-too');
    for (let i = 0; i < 3; i++) {
      expect(await refusal(verify.verify(forged))).toBe(
        'Invalid bearer token (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
      );
    }
    // A token kept by one verifier is nothing to another secret's verifier.
    const genuine = await token({ exp: seconds(T0) + 60 });
    await verify.verify(genuine);
    expect(await refusal(verifier('a-third-secret-that-is-long-enough').verify(genuine))).toBe(
      'Invalid bearer token (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
    );
  });

  it('keeps at most 1,000 tokens, dropping the least recently used', async () => {
    const verify = verifier();
    const tokens = await Promise.all(
      Array.from({ length: 1001 }, (_, i) => token({ sub: `user-${i}`, exp: seconds(T0) + 60 })),
    );
    const first = await verify.verify(tokens[0]!);
    const second = await verify.verify(tokens[1]!);
    for (const jwt of tokens.slice(2, 1000)) await verify.verify(jwt);
    // The first used again: the second is now the least recently used, and the 1,001st pushes it out.
    expect(await verify.verify(tokens[0]!)).toBe(first);
    await verify.verify(tokens[1000]!);
    expect(await verify.verify(tokens[0]!)).toBe(first);
    const secondAgain = await verify.verify(tokens[1]!);
    expect(secondAgain).toEqual(second);
    expect(secondAgain).not.toBe(second);
  });
});
