import nodemailer, { Transporter } from 'nodemailer';
import { DeliveryReceipt, Mailer, OutgoingMail, PermanentDeliveryError } from '../ports/mailer.port';
import { toNodemailer } from './mime';

export interface SmtpMailerOptions {
  /** Parallel connections to the server. Default 5. */
  maxConnections?: number;
  /** Gives up on a silent server after this long. Default 30 s. */
  timeoutMs?: number;
}

const responseCodeOf = (error: unknown): number | undefined => {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : undefined;
};

/** Delivers over SMTP (`smtp://` or `smtps://`), with a small connection pool. */
export class SmtpMailer implements Mailer {
  readonly description: string;
  private readonly transport: Transporter;

  constructor(smtpUrl: string, options: SmtpMailerOptions = {}) {
    const url = new URL(smtpUrl);
    this.description = `SMTP ${url.protocol}//${url.host}`;
    const timeout = options.timeoutMs ?? 30_000;
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(mail: OutgoingMail): Promise<DeliveryReceipt> {
    try {
      const info = (await this.transport.sendMail(toNodemailer(mail))) as {
        messageId: string;
        response: string;
      };
      return { messageId: info.messageId, response: info.response };
    } catch (error) {
      const code = responseCodeOf(error);
      if (code !== undefined && code >= 500 && code < 600) {
        throw new PermanentDeliveryError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  }

  /** An SMTP server cannot be asked whether it got a message. */
  async wasDelivered(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
