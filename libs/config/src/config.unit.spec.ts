import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded store with the development secret', () => {
    const config = loadConfig({});
    expect(config.embedded).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.jwt).toMatchObject({ secret: DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: true });
    expect(config.rateLimitPerMinute).toBe(1200);
    expect(config.appendBatchMax).toBe(64);
    expect(config.signedHeadIntervalSeconds).toBe(300);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('requires secrets outside the embedded default', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(
      /JWT_SECRET or JWT_JWKS_URL/,
    );
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'x'.repeat(32), SIGNING_KEY: 'k' }),
    ).toThrow(/DATA_KEY/);
  });

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_READ_URL', 'postgres://replicas/x'],
    ['REDIS_URL', 'not a url'],
    ['DEMO_DATA', 'maybe'],
    ['BODY_LIMIT', 'huge'],
    ['OBSERVER_EMAILS', 'a@b.org, nope'],
    ['JWT_SECRET', 'short'],
    ['DATA_KEY', 'k'.repeat(44)],
    ['SIGNED_HEAD_INTERVAL_SECONDS', '-1'],
    ['IN_PROCESS', 'projections,mail'],
    ['REDIS_SENTINELS', '127.0.0.1'],
    ['REDIS_SENTINEL_NAME', 'passerelle'],
  ])('refuses %s=%s with a clear message', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('reads the previous keys of a rotation, each only beside the new key', () => {
    const key = 'a'.repeat(43) + '=';
    const rotating = loadConfig({
      DATA_KEY: key,
      DATA_KEY_PREVIOUS: 'b'.repeat(43) + '=',
      SIGNING_KEY: 'n',
      SIGNING_KEY_PREVIOUS: 'o',
    });
    expect(rotating).toMatchObject({ dataKeyPrevious: 'b'.repeat(43) + '=', signingKeyPrevious: 'o' });
    expect(() => loadConfig({ DATA_KEY: key, DATA_KEY_PREVIOUS: 'short' })).toThrow(/DATA_KEY_PREVIOUS/);
    expect(() => loadConfig({ DATA_KEY_PREVIOUS: key })).toThrow(/without DATA_KEY/);
    expect(() => loadConfig({ SIGNING_KEY_PREVIOUS: 'o' })).toThrow(/without SIGNING_KEY/);
  });

  it('reads the observers and the rate limit', () => {
    const config = loadConfig({
      OBSERVER_EMAILS: 'gobiz@example.org, diplo@example.fr',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    expect(config.observerEmails).toEqual(['gobiz@example.org', 'diplo@example.fr']);
    expect(config.rateLimitPerMinute).toBe(0);
  });

  it('reads the group-commit batch size', () => {
    expect(loadConfig({ APPEND_BATCH_MAX: '1' }).appendBatchMax).toBe(1);
    expect(() => loadConfig({ APPEND_BATCH_MAX: '0' })).toThrow(/APPEND_BATCH_MAX/);
  });

  it('reads the calendar organiser and the signature-request delay', () => {
    expect(loadConfig({})).toMatchObject({ calendarOrganizer: undefined, signatureRequestDelaySeconds: 300 });
    const config = loadConfig({
      CALENDAR_ORGANIZER: 'Partnerships <partnerships@example.org>',
      SIGNATURE_REQUEST_DELAY_SECONDS: '0',
    });
    expect(config).toMatchObject({
      calendarOrganizer: 'Partnerships <partnerships@example.org>',
      signatureRequestDelaySeconds: 0,
    });
    expect(() => loadConfig({ CALENDAR_ORGANIZER: 'nobody' })).toThrow(ConfigError);
    expect(() => loadConfig({ SIGNATURE_REQUEST_DELAY_SECONDS: '-5' })).toThrow(ConfigError);
  });

  describe('Redis through Sentinel', () => {
    it('is off unless REDIS_SENTINELS is set', () => {
      expect(loadConfig({}).redisSentinel).toBeUndefined();
    });

    it('reads the Sentinels, the master name and their password', () => {
      const config = loadConfig({
        REDIS_SENTINELS: '127.0.0.1:26379, redis-b.internal:26380',
        REDIS_SENTINEL_NAME: 'passerelle',
        REDIS_SENTINEL_PASSWORD: 's3cret',
      });
      expect(config.redisSentinel).toEqual({
        sentinels: [
          { host: '127.0.0.1', port: 26379 },
          { host: 'redis-b.internal', port: 26380 },
        ],
        name: 'passerelle',
        password: 's3cret',
      });
    });

    it('needs the master name', () => {
      expect(() => loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379' })).toThrow(/REDIS_SENTINEL_NAME/);
    });

    it('refuses a Sentinel without a valid port', () => {
      expect(() =>
        loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:0', REDIS_SENTINEL_NAME: 'm' }),
      ).toThrow(/REDIS_SENTINELS/);
    });
  });

  describe('IN_PROCESS', () => {
    const server = {
      DATABASE_URL: 'postgres://localhost/x',
      JWT_SECRET: 'x'.repeat(32),
      DATA_KEY: 'a'.repeat(43) + '=',
      SIGNING_KEY: 'k',
    };

    it('runs the projections and notifications in the process by default', () => {
      expect(loadConfig({}).inProcess).toEqual({ projections: true, notifications: true });
      expect(loadConfig(server).inProcess).toEqual({ projections: true, notifications: true });
    });

    it('leaves what is not listed to apps/projector and apps/worker', () => {
      expect(loadConfig({ ...server, IN_PROCESS: 'none' }).inProcess).toEqual({
        projections: false,
        notifications: false,
      });
      expect(loadConfig({ ...server, IN_PROCESS: ' Notifications ' }).inProcess).toEqual({
        projections: false,
        notifications: true,
      });
    });

    it('refuses to leave work to other processes on the embedded store, which opens in one process', () => {
      expect(() => loadConfig({ IN_PROCESS: 'notifications' })).toThrow(/only with DATABASE_URL/);
      expect(loadConfig({ IN_PROCESS: 'projections,notifications' }).inProcess).toEqual({
        projections: true,
        notifications: true,
      });
    });
  });
});
