import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import type { DeliveryReceipt, Mailer, OutgoingMail } from '../ports/mailer.port';
import { toNodemailer } from './mime';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Writes each message as `<notification id>.eml` (RFC 5322, CRLF) in a directory: the embedded default,
 * when no SMTP server is configured. The file appears whole or not at all (written aside, then renamed), so
 * whether a message went out is a fact this transport can check.
 */
export class OutboxMailer implements Mailer {
  readonly description: string;
  private readonly composer: Transporter;
  private ready?: Promise<unknown>;

  constructor(private readonly directory: string) {
    this.description = `outbox ${directory}`;
    this.composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  }

  fileOf(notificationId: string): string {
    if (!UUID.test(notificationId)) throw new TypeError(`Not a notification id: ${notificationId}`);
    return join(this.directory, `${notificationId}.eml`);
  }

  async send(mail: OutgoingMail): Promise<DeliveryReceipt> {
    this.ready ??= mkdir(this.directory, { recursive: true });
    await this.ready;
    const built = (await this.composer.sendMail(toNodemailer(mail))) as {
      messageId: string;
      message: Buffer;
    };
    const file = this.fileOf(mail.notificationId);
    const partial = join(this.directory, `.${mail.notificationId}.${process.pid}.tmp`);
    await writeFile(partial, built.message);
    await rename(partial, file);
    return { messageId: built.messageId, response: `written to ${file}` };
  }

  async wasDelivered(notificationId: string): Promise<{ response: string } | false> {
    const file = this.fileOf(notificationId);
    try {
      await stat(file);
      return { response: `written to ${file}` };
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}
