import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A schema (or database) name of this run: `bench_<what>_<random>`. */
export function benchName(what: string): string {
  return `bench_${what}_${randomBytes(4).toString('hex')}`;
}

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (client) => (await client.query('SHOW server_version')).rows[0].server_version,
  );
}

/**
 * Everything one run creates on the server, dropped at the end whatever happened: schemas in the
 * benchmark database, and whole databases (Emmett gets one of its own, as it creates its tables in `public`).
 */
export class Scratch {
  private readonly schemas = new Set<string>();
  private readonly databases = new Set<string>();

  constructor(readonly url: string) {}

  schema(what: string): string {
    const name = benchName(what);
    this.schemas.add(name);
    return name;
  }

  /** Creates a database and returns its URL. */
  async database(what: string): Promise<string> {
    const name = benchName(what);
    this.databases.add(name);
    await withClient(this.url, (client) => client.query(`CREATE DATABASE ${name}`));
    return databaseUrl(this.url, name);
  }

  async dropAll(): Promise<void> {
    await withClient(this.url, async (client) => {
      for (const name of this.schemas) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      for (const name of this.databases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    this.schemas.clear();
    this.databases.clear();
  }
}
