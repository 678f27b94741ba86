import { join, resolve } from 'node:path';

/**
 * The one typed configuration, read and validated once at boot. Nothing else reads process.env.
 * Secrets are marked so they never reach a log line.
 */
export interface AppConfig {
  port: number;
  dataDir: string;
  /** PostgreSQL for events and read models; undefined → embedded PGlite in dataDir. */
  databaseUrl?: string;
  /**
   * PostgreSQL replicas (e.g. HAProxy's read port) for read-model queries; `?minPosition` reads go to the
   * primary when the replicas have not replayed that far. Undefined: every read on DATABASE_URL.
   */
  databaseReadUrl?: string;
  /** Schema for every table (tests isolate themselves with their own). */
  databaseSchema: string;
  eventstoreConnectionString?: string;
  redisUrl: string;
  /**
   * Redis through Sentinel: when set, the master is asked of these Sentinels by name and REDIS_URL gives only
   * the master's credentials, database and TLS (its host and port are not used).
   */
  redisSentinel?: RedisSentinelConfig;
  smtpUrl?: string;
  mailFrom: string;
  /** The ORGANIZER of invitations, a mailbox that reads replies; unset → MAIL_FROM, and no RSVP asked. */
  calendarOrganizer?: string;
  /** How long a signature request waits (and is checked again) before it goes. */
  signatureRequestDelaySeconds: number;
  observerEmails: string[];
  jwt: {
    /** secret */
    secret?: string;
    /** true when the built-in development secret is used. */
    usingDevelopmentSecret: boolean;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
  };
  /** undefined → load the demo on an empty embedded store. */
  demoData?: boolean;
  rateLimitPerMinute: number;
  bodyLimit: string;
  /** Group commit: most appends committed in one transaction by the SQL event store; 1: one each. */
  appendBatchMax: number;
  /** Events of long streams kept in memory by the API, sealed as stored (decision 0018); 0: none. */
  streamCacheEvents: number;
  /** Bytes of encoded `/history` answers kept by the API (decision 0018); 0: none. */
  historyCacheBytes: number;
  /** secret */
  dataKey?: string;
  /** secret */
  signingKey?: string;
  /** secret; the DATA_KEY being rotated from, held until the rotation completes (docs/deployment.md). */
  dataKeyPrevious?: string;
  /** secret; the SIGNING_KEY being rotated from. */
  signingKeyPrevious?: string;
  /** How often the head of the log is signed; 0: only on demand. */
  signedHeadIntervalSeconds: number;
  logLevel: string;
  embedded: boolean;
  /**
   * Which background work this process does besides serving HTTP: following the log into the read
   * models (`projections`) and the e-mail dispatcher and worker (`notifications`). Both by default;
   * API replicas beside `apps/projector` and `apps/worker` turn them off.
   */
  inProcess: { projections: boolean; notifications: boolean };
}

export interface RedisSentinelConfig {
  sentinels: { host: string; port: number }[];
  /** The master's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
  name: string;
  /** secret; for the Sentinels themselves (the master's password is REDIS_URL's). */
  password?: string;
}

export class ConfigError extends Error {}

export const DEVELOPMENT_JWT_SECRET = 'passerelle-development-secret-change-me-000000';

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string): boolean | undefined {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const BACKGROUND_WORK = ['projections', 'notifications'] as const;

/** IN_PROCESS: a comma-separated subset of projections,notifications, or `none`. */
function inProcessWork(env: Env, embedded: boolean): AppConfig['inProcess'] {
  const raw = optional(env, 'IN_PROCESS');
  if (raw === undefined) return { projections: true, notifications: true };
  const wanted = raw.toLowerCase() === 'none' ? [] : raw.split(',').map((part) => part.trim().toLowerCase());
  const unknown = wanted.filter((part) => !(BACKGROUND_WORK as readonly string[]).includes(part));
  if (unknown.length > 0) {
    throw new ConfigError(
      `IN_PROCESS must list some of ${BACKGROUND_WORK.join(', ')} (or be none), got "${unknown.join(', ')}"`,
    );
  }
  const work = {
    projections: wanted.includes('projections'),
    notifications: wanted.includes('notifications'),
  };
  if (embedded && !(work.projections && work.notifications)) {
    throw new ConfigError(
      'IN_PROCESS can leave work to other processes only with DATABASE_URL: the embedded store opens in one process',
    );
  }
  return work;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

/** REDIS_SENTINELS=host:port,host:port with REDIS_SENTINEL_NAME (and optional REDIS_SENTINEL_PASSWORD). */
function redisSentinel(env: Env): RedisSentinelConfig | undefined {
  const raw = optional(env, 'REDIS_SENTINELS');
  const name = optional(env, 'REDIS_SENTINEL_NAME');
  const password = optional(env, 'REDIS_SENTINEL_PASSWORD');
  if (raw === undefined) {
    if (name !== undefined || password !== undefined)
      throw new ConfigError('REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD need REDIS_SENTINELS');
    return undefined;
  }
  const sentinels = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([^\s:]+):(\d{1,5})$/.exec(part);
      const port = match ? Number(match[2]) : 0;
      if (!match || port < 1 || port > 65535)
        throw new ConfigError(`REDIS_SENTINELS must be host:port pairs separated by commas, got "${part}"`);
      return { host: match[1], port };
    });
  if (sentinels.length === 0) throw new ConfigError('REDIS_SENTINELS lists no Sentinel');
  if (name === undefined) throw new ConfigError('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS');
  return { sentinels, name, ...(password !== undefined ? { password } : {}) };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `Name <address>` or a bare address. */
function mailbox(env: Env, name: string): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const address = /<([^>]+)>\s*$/.exec(raw)?.[1]?.trim() ?? raw;
  if (!EMAIL.test(address))
    throw new ConfigError(
      `${name} must be a mailbox such as "Partnerships <partnerships@example.org>", got "${raw}"`,
    );
  return raw;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const eventstoreConnectionString = optional(env, 'EVENTSTORE_CONNECTION_STRING');
  const embedded = databaseUrl === undefined;
  const databaseReadUrl = url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  if (databaseReadUrl !== undefined && embedded)
    throw new ConfigError('DATABASE_READ_URL names replicas of DATABASE_URL, which is not set');
  const observerEmails = (optional(env, 'OBSERVER_EMAILS') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const badObserver = observerEmails.find((e) => !EMAIL.test(e));
  if (badObserver) throw new ConfigError(`OBSERVER_EMAILS holds an invalid address: "${badObserver}"`);

  const jwksUrl = url(env, 'JWT_JWKS_URL', ['https:', 'http:']);
  const secret = optional(env, 'JWT_SECRET');
  if (secret !== undefined && secret.length < 32)
    throw new ConfigError('JWT_SECRET must be at least 32 characters');
  if (!embedded && !secret && !jwksUrl) {
    throw new ConfigError('JWT_SECRET or JWT_JWKS_URL is required outside the embedded default');
  }
  const usingDevelopmentSecret = !secret && !jwksUrl;

  const bodyLimit = optional(env, 'BODY_LIMIT') ?? '1mb';
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit))
    throw new ConfigError(`BODY_LIMIT must look like 100kb or 1mb, got "${bodyLimit}"`);

  const dataKey = optional(env, 'DATA_KEY');
  const signingKey = optional(env, 'SIGNING_KEY');
  if (!embedded && !dataKey) throw new ConfigError('DATA_KEY is required outside the embedded default');
  if (dataKey !== undefined && !/^[A-Za-z0-9+/_-]{43}=?$/.test(dataKey)) {
    throw new ConfigError('DATA_KEY must be the base64 of 32 random bytes (openssl rand -base64 32)');
  }
  if (!embedded && !signingKey) throw new ConfigError('SIGNING_KEY is required outside the embedded default');
  const dataKeyPrevious = optional(env, 'DATA_KEY_PREVIOUS');
  const signingKeyPrevious = optional(env, 'SIGNING_KEY_PREVIOUS');
  if (dataKeyPrevious !== undefined && !/^[A-Za-z0-9+/_-]{43}=?$/.test(dataKeyPrevious)) {
    throw new ConfigError('DATA_KEY_PREVIOUS must be the base64 of 32 random bytes, like DATA_KEY');
  }
  if (dataKeyPrevious !== undefined && dataKey === undefined) {
    throw new ConfigError('DATA_KEY_PREVIOUS is set without DATA_KEY (the new key)');
  }
  if (signingKeyPrevious !== undefined && signingKey === undefined) {
    throw new ConfigError('SIGNING_KEY_PREVIOUS is set without SIGNING_KEY (the new key)');
  }

  const schema = optional(env, 'DATABASE_SCHEMA') ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new ConfigError(`DATABASE_SCHEMA must be a plain identifier, got "${schema}"`);

  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir: resolve(optional(env, 'DATA_DIR') ?? join(process.cwd(), 'data')),
    databaseUrl,
    databaseReadUrl,
    databaseSchema: schema,
    eventstoreConnectionString,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379',
    redisSentinel: redisSentinel(env),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: optional(env, 'MAIL_FROM') ?? 'Passerelle <no-reply@localhost>',
    calendarOrganizer: mailbox(env, 'CALENDAR_ORGANIZER'),
    signatureRequestDelaySeconds: integer(env, 'SIGNATURE_REQUEST_DELAY_SECONDS', 300, 0, 86_400),
    observerEmails,
    jwt: {
      secret: secret ?? (jwksUrl ? undefined : DEVELOPMENT_JWT_SECRET),
      usingDevelopmentSecret,
      jwksUrl,
      issuer: optional(env, 'JWT_ISSUER'),
      audience: optional(env, 'JWT_AUDIENCE'),
    },
    demoData: boolean(env, 'DEMO_DATA'),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 10_000_000),
    bodyLimit,
    appendBatchMax: integer(env, 'APPEND_BATCH_MAX', 64, 1, 10_000),
    streamCacheEvents: integer(env, 'STREAM_CACHE_EVENTS', 50_000, 0, 10_000_000),
    historyCacheBytes: integer(env, 'HISTORY_CACHE_BYTES', 64 * 1024 * 1024, 0, 16 * 1024 * 1024 * 1024),
    dataKey,
    signingKey,
    dataKeyPrevious,
    signingKeyPrevious,
    signedHeadIntervalSeconds: integer(env, 'SIGNED_HEAD_INTERVAL_SECONDS', 300, 0, 86_400),
    logLevel: optional(env, 'LOG_LEVEL') ?? 'info',
    embedded,
    inProcess: inProcessWork(env, embedded),
  };
}
