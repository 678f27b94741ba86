import { simpleParser, type ParsedMail } from 'mailparser';
import { buildMeetingCalendar } from '../ical/icalendar';
import type { Mailer, OutgoingMail } from '../ports/mailer.port';

export interface MailerHarness {
  mailer: Mailer;
  /** Whether `wasDelivered` can know (a file it wrote) or must answer undefined (an SMTP server cannot be asked). */
  knowsDeliveries: boolean;
  /** The raw messages the transport delivered so far. */
  delivered(): Promise<Buffer[]>;
  cleanup(): Promise<void>;
}

const calendar = buildMeetingCalendar({
  method: 'REQUEST',
  uid: 'meeting-1@passerelle',
  sequence: 1,
  stamp: new Date('2026-11-22T10:00:00Z'),
  start: new Date('2026-12-01T16:00:00Z'),
  end: new Date('2026-12-01T17:00:00Z'),
  summary: 'Réunion d’introduction : Économie bleue',
  organizer: { email: 'no-reply@passerelle.example', name: 'Passerelle' },
  attendees: [{ email: 'zoe@example.fr', name: 'Zoé' }],
});

export const sampleMail = (id: string, overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  notificationId: id,
  messageId: `<${id}@passerelle.example>`,
  from: 'Passerelle <no-reply@passerelle.example>',
  to: { name: 'Zoé Bernard', address: 'zoe@example.fr' },
  subject: 'Invitation : réunion d’introduction, Économie bleue',
  text: 'Bonjour Zoé,\n\nVous êtes invitée.\n',
  html: '<p>Bonjour Zoé,</p>',
  calendar: { method: 'REQUEST', content: calendar },
  language: 'fr',
  headers: { 'X-Passerelle-Notification': id },
  ...overrides,
});

/** What every mailer must do, run against each adapter. */
export function mailerContract(name: string, open: () => Promise<MailerHarness>): void {
  describe(`Mailer contract: ${name}`, () => {
    let harness: MailerHarness;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness.mailer.close();
      await harness.cleanup();
    });

    const parsedDelivered = async (): Promise<ParsedMail[]> =>
      Promise.all((await harness.delivered()).map((raw) => simpleParser(raw)));

    it('delivers a MIME message with text, HTML, the headers and the calendar', async () => {
      const id = '00000000-0000-4000-8000-000000000001';
      const receipt = await harness.mailer.send(sampleMail(id));
      expect(receipt.messageId).toBe(`<${id}@passerelle.example>`);
      expect(receipt.response.length).toBeGreaterThan(0);
      const [mail] = await parsedDelivered();
      expect(mail!.subject).toBe('Invitation : réunion d’introduction, Économie bleue');
      expect(mail!.messageId).toBe(`<${id}@passerelle.example>`);
      expect(mail!.text).toContain('Vous êtes invitée.');
      expect(mail!.html).toContain('<p>Bonjour Zoé,</p>');
      expect(mail!.headers.get('content-language')).toBe('fr');
      expect(mail!.headers.get('auto-submitted')).toBe('auto-generated');
      expect(mail!.headers.get('x-passerelle-notification')).toBe(id);
      const ics = mail!.attachments.find((attachment) => attachment.contentType === 'application/ics');
      expect(ics?.filename).toBe('invite.ics');
      expect(ics?.content.toString('utf8')).toBe(calendar);
      const alternative = mail!.attachments.find((attachment) => attachment.contentType === 'text/calendar');
      expect(alternative?.content.toString('utf8')).toBe(calendar);
      const contentType = alternative?.headers.get('content-type') as
        { params?: Record<string, string> } | undefined;
      expect(contentType?.params?.method).toBe('REQUEST');
    });

    it('sends a message without a calendar as text and HTML only', async () => {
      await harness.mailer.send(sampleMail('00000000-0000-4000-8000-000000000002', { calendar: null }));
      const [mail] = await parsedDelivered();
      expect(mail!.attachments).toEqual([]);
    });

    it('says whether a message was delivered when it can know, and never claims one that was not', async () => {
      const id = '00000000-0000-4000-8000-000000000003';
      const never = '00000000-0000-4000-8000-000000000004';
      const before = harness.knowsDeliveries ? false : undefined;
      const after = harness.knowsDeliveries ? { response: expect.any(String) } : undefined;
      expect(await harness.mailer.wasDelivered(id)).toStrictEqual(before);
      await harness.mailer.send(sampleMail(id));
      const [mail] = await parsedDelivered();
      expect(mail!.headers.get('x-passerelle-notification')).toBe(id);
      expect(await harness.mailer.wasDelivered(id)).toStrictEqual(after);
      expect(await harness.mailer.wasDelivered(never)).toStrictEqual(before);
    });
  });
}
