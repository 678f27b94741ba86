import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server that accepts everything and only counts: when each message arrived. No parsing,
 * so the benchmark measures the sender, not the receiver.
 */
export class SmtpCounter {
  readonly arrivals: number[] = [];
  private waiter?: { count: number; resolve: () => void };

  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        this.arrived();
        callback();
      });
    },
  });

  private constructor() {}

  static async start(): Promise<SmtpCounter> {
    const counter = new SmtpCounter();
    await new Promise<void>((resolve) => counter.server.listen(0, '127.0.0.1', () => resolve()));
    return counter;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` messages have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    if (this.arrivals.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.arrivals.length} of ${count} e-mails after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private arrived(): void {
    this.arrivals.push(performance.now());
    if (this.waiter && this.arrivals.length >= this.waiter.count) this.waiter.resolve();
  }
}
