import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './redis-server';

const HOST = '127.0.0.1';

const until = async (what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** One command on a fresh connection that does not retry (a server that is down answers with an error). */
async function ask<T>(port: number, command: string, ...args: (string | number)[]): Promise<T> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return (await client.call(command, ...args)) as T;
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis master, one replica and three Sentinels (quorum 2) of the test's own, on free ports, without
 * persistence. Sentinels decide quickly (master down after 1 s) so a failover fits in a test.
 */
export class PrivateSentinelSet {
  readonly masterName = 'passerelle-test';
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    readonly redisPorts: number[],
    readonly sentinelPorts: number[],
  ) {}

  static async start(): Promise<PrivateSentinelSet> {
    const ports: number[] = [];
    while (ports.length < 5) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const set = new PrivateSentinelSet(
      mkdtempSync(join(tmpdir(), 'passerelle-sentinel-')),
      ports.slice(0, 2),
      ports.slice(2),
    );
    try {
      await set.up();
    } catch (error) {
      await set.stop();
      throw error;
    }
    return set;
  }

  get sentinels(): { host: string; port: number }[] {
    return this.sentinelPorts.map((port) => ({ host: HOST, port }));
  }

  private launch(port: number, args: string[]): void {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.children.set(port, child);
  }

  private async up(): Promise<void> {
    const [master, replica] = this.redisPorts;
    const common = [
      '--bind',
      HOST,
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ];
    this.launch(master, ['--port', String(master), ...common]);
    this.launch(replica, ['--port', String(replica), ...common, '--replicaof', HOST, String(master)]);
    await until(
      'the replica to sync',
      async () => (await ask<string>(replica, 'INFO', 'replication')).includes('master_link_status:up'),
      10_000,
    );
    for (const port of this.sentinelPorts) {
      const file = join(this.dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${this.dir}`,
          `sentinel monitor ${this.masterName} ${HOST} ${master} 2`,
          `sentinel down-after-milliseconds ${this.masterName} 1000`,
          `sentinel failover-timeout ${this.masterName} 5000`,
          `sentinel parallel-syncs ${this.masterName} 1`,
          '',
        ].join('\n'),
      );
      this.launch(port, [file, '--sentinel']);
    }
    // Every Sentinel knows the replica and the two other Sentinels: a failover can be agreed on.
    for (const port of this.sentinelPorts) {
      await until(
        `Sentinel ${port} to see its peers`,
        async () => {
          const fields = await ask<string[]>(port, 'SENTINEL', 'MASTER', this.masterName);
          const info = new Map<string, string>();
          for (let i = 0; i + 1 < fields.length; i += 2) info.set(fields[i], fields[i + 1]);
          return info.get('num-other-sentinels') === '2' && info.get('num-slaves') === '1';
        },
        15_000,
      );
    }
  }

  /** The master's port as a Sentinel reports it. */
  async masterPort(): Promise<number> {
    const [, port] = await ask<[string, string]>(
      this.sentinelPorts[0],
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      this.masterName,
    );
    return Number(port);
  }

  /** SIGKILLs the current master, then waits until the Sentinels name another one; returns its port. */
  async killMaster(timeoutMs = 20_000): Promise<number> {
    const old = await this.masterPort();
    const child = this.children.get(old);
    if (!child) throw new Error(`no process of this set listens on ${old}`);
    this.children.delete(old);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    let promoted = old;
    await until(
      'the Sentinels to promote a replica',
      async () => {
        promoted = await this.masterPort();
        return (
          promoted !== old && (await ask<string>(promoted, 'INFO', 'replication')).includes('role:master')
        );
      },
      timeoutMs,
    );
    return promoted;
  }

  async stop(): Promise<void> {
    const children = [...this.children.values()];
    this.children.clear();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
