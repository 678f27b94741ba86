import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmtpSink } from '../testing/smtp-sink';
import { mailerContract, sampleMail } from './mailer.contract';
import { OutboxMailer } from './outbox-mailer';
import { SmtpMailer } from './smtp-mailer';
import { PermanentDeliveryError } from '../ports/mailer.port';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

mailerContract('SMTP (nodemailer) against an in-process smtp-server', async () => {
  const sink = await SmtpSink.start();
  return {
    mailer: new SmtpMailer(sink.url, { maxConnections: 2 }),
    knowsDeliveries: false,
    delivered: async () => sink.received.map((mail) => mail.raw),
    cleanup: () => sink.close(),
  };
});

mailerContract('outbox directory (.eml files)', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'passerelle-outbox-'));
  return {
    mailer: new OutboxMailer(join(directory, 'outbox')),
    knowsDeliveries: true,
    delivered: async () => {
      const files = readdirSync(join(directory, 'outbox')).filter((file) => file.endsWith('.eml'));
      return files.sort().map((file) => readFileSync(join(directory, 'outbox', file)));
    },
    cleanup: async () => rmSync(directory, { recursive: true, force: true }),
  };
});

describe('SMTP mailer', () => {
  it('hands the message to the server for the recipient and returns the server’s acceptance', async () => {
    const sink = await SmtpSink.start();
    const mailer = new SmtpMailer(sink.url);
    try {
      const id = '00000000-0000-4000-8000-000000000013';
      const receipt = await mailer.send(sampleMail(id));
      expect(receipt.response).toMatch(/^250 .*queued as SINK1$/);
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]!.envelopeTo).toEqual(['zoe@example.fr']);
      expect(sink.received[0]!.parsed.headers.get('x-passerelle-notification')).toBe(id);
    } finally {
      await mailer.close();
      await sink.close();
    }
  });

  it('reports a 4xx refusal as an error worth retrying and a 5xx refusal as permanent', async () => {
    let answer = 451;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error(`refused with ${answer}`), { responseCode: answer }));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`);
    try {
      const transient = await mailer
        .send(sampleMail('00000000-0000-4000-8000-000000000010'))
        .catch((e: unknown) => e);
      expect(transient).toBeInstanceOf(Error);
      expect(transient).not.toBeInstanceOf(PermanentDeliveryError);
      answer = 550;
      await expect(mailer.send(sampleMail('00000000-0000-4000-8000-000000000011'))).rejects.toBeInstanceOf(
        PermanentDeliveryError,
      );
    } finally {
      await mailer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('writes CRLF line endings in the outbox', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'passerelle-outbox-'));
    const mailer = new OutboxMailer(directory);
    try {
      await mailer.send(sampleMail('00000000-0000-4000-8000-000000000012'));
      const raw = readFileSync(join(directory, '00000000-0000-4000-8000-000000000012.eml'), 'utf8');
      expect(
        raw.split('\n').every((line, index, lines) => index === lines.length - 1 || line.endsWith('\r')),
      ).toBe(true);
    } finally {
      await mailer.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
