import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import { ProblemError } from '../http/problem';
import { AccessTokenQueryMiddleware } from './access-token.middleware';
import { MIN_POSITION_WAIT_MS, MinPositionInterceptor } from './min-position.interceptor';
import type { ReadModels } from './read-models.service';

/** Read models that have processed `reached`, and would reach `eventually` if waited for. */
function readModels(reached: number, eventually = reached) {
  const waits: [number, number][] = [];
  let current = reached;
  const fake = {
    progress: { current: () => current },
    waitForPosition: async (position: number, timeoutMs: number) => {
      waits.push([position, timeoutMs]);
      current = eventually;
      return eventually >= position;
    },
  };
  return { fake: fake as unknown as ReadModels, waits };
}

function http(method: string, query: Record<string, unknown>) {
  const headers: Record<string, string> = {};
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({
      getRequest: () => ({ method, query }),
      getResponse: () => ({ header: (name: string, value: string) => (headers[name] = value) }),
    }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

const handler: CallHandler = { handle: () => of('answer') };

describe('?minPosition (read your writes)', () => {
  it('answers at once without it, and for commands', async () => {
    const { fake, waits } = readModels(3);
    const interceptor = new MinPositionInterceptor(fake);
    expect(await lastValueFrom(interceptor.intercept(http('GET', {}).context, handler))).toBe('answer');
    expect(
      await lastValueFrom(interceptor.intercept(http('POST', { minPosition: '9' }).context, handler)),
    ).toBe('answer');
    expect(waits).toEqual([]);
  });

  it('waits up to 5 s for the position, then answers and says how far the read models are', async () => {
    const { fake, waits } = readModels(10, 12);
    const { context, headers } = http('GET', { minPosition: '12' });
    expect(await lastValueFrom(new MinPositionInterceptor(fake).intercept(context, handler))).toBe('answer');
    expect(waits).toEqual([[12, 5000]]);
    expect(headers).toEqual({ 'Read-Model-Position': '12' });
  });

  it('answers 503 with Retry-After when the position is not reached in time', async () => {
    const { fake } = readModels(4, 4);
    const answer = lastValueFrom(
      new MinPositionInterceptor(fake).intercept(http('GET', { minPosition: '7' }).context, handler),
    );
    await expect(answer).rejects.toMatchObject({
      status: 503,
      code: 'read_model_behind',
      extensions: { minPosition: 7, position: 4 },
      headers: { 'Retry-After': '1' },
    });
  });

  it('refuses a minPosition that is not a position, naming it', () => {
    const { fake } = readModels(0);
    for (const value of ['-1', 'soon', '1e3', '', '9007199254740992', '9'.repeat(40), ['1', '2']]) {
      expect(() =>
        new MinPositionInterceptor(fake).intercept(http('GET', { minPosition: value }).context, handler),
      ).toThrow(
        expect.objectContaining({
          status: 400,
          extensions: { errors: [expect.objectContaining({ field: 'minPosition' })] },
        }) as ProblemError,
      );
    }
  });

  it('waits the whole 5 s for a position past the end of the log too: a write may still reach it', async () => {
    // Nothing asks where the log ends: the 5 s wait is the same whether the position is written yet or not.
    const { fake, waits } = readModels(4, 4);
    const past = lastValueFrom(
      new MinPositionInterceptor(fake).intercept(http('GET', { minPosition: '1000' }).context, handler),
    );
    await expect(past).rejects.toMatchObject({
      status: 503,
      code: 'read_model_behind',
      headers: { 'Retry-After': '1' },
    });
    const reachedMeanwhile = readModels(4, 1000);
    const { context, headers } = http('GET', { minPosition: '1000' });
    expect(
      await lastValueFrom(new MinPositionInterceptor(reachedMeanwhile.fake).intercept(context, handler)),
    ).toBe('answer');
    expect(headers).toEqual({ 'Read-Model-Position': '1000' });
    expect([...waits, ...reachedMeanwhile.waits]).toEqual([
      [1000, MIN_POSITION_WAIT_MS],
      [1000, MIN_POSITION_WAIT_MS],
    ]);
  });

  it('answers at once when the read models are already there', async () => {
    const { fake, waits } = readModels(9, 9);
    const { context } = http('GET', { minPosition: '9' });
    expect(await lastValueFrom(new MinPositionInterceptor(fake).intercept(context, handler))).toBe('answer');
    expect(waits).toEqual([]);
  });
});

describe('?access_token= on the live stream', () => {
  const run = (url: string, authorization?: string) => {
    const request = { originalUrl: url, url, headers: authorization ? { authorization } : {} } as never as {
      originalUrl: string;
      headers: Record<string, string>;
    };
    let called = false;
    new AccessTokenQueryMiddleware().use(request as never, {} as never, () => (called = true));
    return { request, called };
  };

  it('stands in for the bearer header, and is blanked from the URL that gets logged', () => {
    const { request, called } = run('/api/stream?after=3&access_token=abc.def');
    expect(called).toBe(true);
    expect(request.headers.authorization).toBe('Bearer abc.def');
    expect(request.originalUrl).toBe('/api/stream?after=3&access_token=[redacted]');
  });

  it('never overrides a bearer header', () => {
    const { request } = run('/api/stream?access_token=abc', 'Bearer header-token');
    expect(request.headers.authorization).toBe('Bearer header-token');
  });
});
