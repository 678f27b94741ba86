import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SystemName } from '../systems';

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface RemoteOptions {
  /** Write a V8 CPU profile of this process into the directory when it exits. */
  cpuProfileDir?: string;
}

/**
 * A system under test in a Node process of its own. Each system gets a fresh process, so none pays
 * for another's heap, timers or global state (Emmett's driver swaps node-postgres' global type
 * parsers, for one), and they take turns: only one measures at a time.
 */
export class Remote {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private exited?: Error;

  private constructor(
    readonly name: SystemName,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.result);
      else call.reject(new Error(`${name}: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`${name} exited (${signal ?? code})`);
      for (const call of this.pending.values()) call.reject(this.exited);
      this.pending.clear();
    });
  }

  static async open(name: SystemName, params: unknown, options: RemoteOptions = {}): Promise<Remote> {
    const profile = options.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, name)}`]
      : [];
    const child = fork(join(__dirname, 'child.ts'), [], {
      execArgv: [...process.execArgv, ...profile],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const remote = new Remote(name, child);
    try {
      await remote.call('open', { name, params });
    } catch (error) {
      child.kill();
      throw error;
    }
    return remote;
  }

  call<T = unknown>(method: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, method, args });
    });
  }

  /** Lets the system clean up, then waits for its process to end. */
  async close(): Promise<void> {
    if (this.exited) return;
    const ended = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.call('close');
    } finally {
      if (!this.exited) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill(), 10_000);
      await ended;
      clearTimeout(timer);
    }
  }
}
