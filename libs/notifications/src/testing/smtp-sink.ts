import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: Buffer;
  parsed: ParsedMail;
  envelopeTo: string[];
}

/**
 * A real SMTP server in the test process (smtp-server) that keeps what it accepts, parsed with mailparser.
 * `refuse(n)` answers 451 to the next n messages; `refuseFor(ms)` answers 451 for a while.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private refusals = 0;
  private refusingUntil = 0;
  refused = 0;
  /** Each accepted message is answered this much later (a slow server, to catch a process mid-stream). */
  delayMs = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  private readonly server: SMTPServer;
  port = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          void this.accept(
            Buffer.concat(chunks),
            session.envelope.rcptTo.map((r) => r.address),
          ).then(
            (id) => callback(null, `Ok: queued as ${id}`),
            (error: Error) => callback(error),
          );
        });
      },
    });
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    // A client killed mid-session resets its connection: that is the client's end, not the server's.
    sink.server.on('error', () => undefined);
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', () => resolve()));
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  refuse(count: number): void {
    this.refusals = count;
  }

  refuseFor(ms: number): void {
    this.refusingUntil = Date.now() + ms;
  }

  private async accept(raw: Buffer, envelopeTo: string[]): Promise<string> {
    if (this.refusals > 0 || Date.now() < this.refusingUntil) {
      this.refusals = Math.max(0, this.refusals - 1);
      this.refused += 1;
      throw Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 });
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const parsed = await simpleParser(raw);
    this.received.push({ raw, parsed, envelopeTo });
    const id = `SINK${this.received.length}`;
    this.waiters = this.waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return id;
  }

  /** Resolves once at least `count` messages arrived; rejects after `timeoutMs`. */
  async waitForCount(count: number, timeoutMs = 20_000): Promise<ReceivedMail[]> {
    if (this.received.length >= count) return this.received;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`Expected ${count} messages, got ${this.received.length} after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    return this.received;
  }

  /** Messages to one address. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.envelopeTo.includes(address.toLowerCase()));
  }

  clear(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
