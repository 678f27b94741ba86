import { TEMPLATES, Template } from '../model';
import type { MessageModel } from './message-model';
import { renderMessage } from './render';

const meeting = {
  startsAt: '2026-12-01T16:00:00.000Z',
  endsAt: '2026-12-01T17:00:00.000Z',
  timezone: 'Europe/Paris',
  location: 'Marseille',
  videoUrl: 'https://meet.example.org/x',
  agenda: 'Scope <and> funding',
  previousStartsAt: '2026-11-30T16:00:00.000Z',
  reason: 'Strike',
};
const document = {
  kind: 'agreement' as const,
  title: 'Blue Tech cooperation',
  scope: 'Delegations',
  termMonths: 12,
  signatories: ['Pôle Mer', 'City of San Diego'],
  signed: ['Pôle Mer'],
};
const partnershipTitle = 'Blue economy & ocean tech';

const models: Record<Template, MessageModel> = {
  'meeting.invitation': { template: 'meeting.invitation', partnershipTitle, meeting },
  'meeting.updated': { template: 'meeting.updated', partnershipTitle, meeting },
  'meeting.cancelled': { template: 'meeting.cancelled', partnershipTitle, meeting },
  'meeting.reminder': { template: 'meeting.reminder', partnershipTitle, meeting },
  'signature.request': {
    template: 'signature.request',
    partnershipTitle,
    document,
    organizationName: 'City of San Diego',
    amendmentReason: null,
  },
  'signature.reminder': {
    template: 'signature.reminder',
    partnershipTitle,
    document,
    organizationName: 'City of San Diego',
    reminder: 2,
    reminderMax: 3,
  },
  'agreement.executed': {
    template: 'agreement.executed',
    partnershipTitle,
    title: 'Blue Tech cooperation',
    executedOn: '2026-11-20',
    expiresOn: '2027-11-20',
    signatories: ['Pôle Mer', 'City of San Diego'],
  },
  'mou.executed': {
    template: 'mou.executed',
    partnershipTitle,
    title: 'San Diego–PACA memorandum',
    executedOn: '2026-11-20',
    signatories: ['Région Sud', 'City of San Diego'],
  },
  'project.launched': {
    template: 'project.launched',
    partnershipTitle,
    title: 'Blue Tech Alliance',
    description: null,
    startsOn: '2027-01-09',
    budget: { amount: 150000, currency: 'EUR' },
    leads: ['Pôle Mer'],
    milestones: [{ title: 'Oceanology', dueOn: '2027-02-16' }],
  },
  'partnership.withdrawn': { template: 'partnership.withdrawn', partnershipTitle, reason: 'Funding ended' },
  'agreement.renewal': {
    template: 'agreement.renewal',
    partnershipTitle,
    title: 'Blue Tech cooperation',
    expiresOn: '2027-01-15',
    signatories: ['Pôle Mer', 'City of San Diego'],
  },
};

describe('message templates', () => {
  it.each(
    TEMPLATES.flatMap((template) => (['en', 'fr'] as const).map((language) => [template, language] as const)),
  )('%s in %s has a subject, a text and an HTML part', (template, language) => {
    const message = renderMessage(models[template], language, 'Zoé');
    expect(message.subject.length).toBeGreaterThan(5);
    expect(message.text).toContain(language === 'fr' ? 'Bonjour Zoé,' : 'Hello Zoé,');
    expect(message.html).toContain(`<html lang="${language}">`);
    expect(message.html).not.toContain('<and>');
  });

  it('writes English and French differently, dates in each language and in the meeting time zone', () => {
    const english = renderMessage(models['meeting.invitation'], 'en', null);
    const french = renderMessage(models['meeting.invitation'], 'fr', null);
    expect(english.subject).toBe(`Invitation: introduction meeting, ${partnershipTitle}`);
    expect(french.subject).toBe(`Invitation : réunion d’introduction, ${partnershipTitle}`);
    expect(english.text).toMatch(/Tuesday, December 1, 2026/);
    expect(english.text).toMatch(/05:00/);
    expect(french.text).toMatch(/mardi 1 décembre 2026/);
    expect(french.text).toMatch(/17:00/);
    expect(english.text.startsWith('Hello,')).toBe(true);
  });

  it('escapes HTML but keeps the text part verbatim', () => {
    const message = renderMessage(models['meeting.invitation'], 'en', '<b>Ana</b>');
    expect(message.html).toContain('&lt;b&gt;Ana&lt;/b&gt;');
    expect(message.html).toContain('Scope &lt;and&gt; funding');
    expect(message.html).toContain('Blue economy &amp; ocean tech');
    expect(message.text).toContain('Scope <and> funding');
  });

  it('says which reminder it is and names the organisation asked to sign', () => {
    const message = renderMessage(models['signature.reminder'], 'fr', null);
    expect(message.subject).toBe('Rappel 2/3 : signature attendue, Blue Tech cooperation');
    expect(message.text).toContain('attend toujours la signature de City of San Diego');
    expect(message.text).toContain('- Déjà signé par: Pôle Mer');
  });

  it('formats money and dates per language', () => {
    expect(renderMessage(models['project.launched'], 'en', null).text).toContain('€150,000.00');
    expect(renderMessage(models['project.launched'], 'fr', null).text).toMatch(/150\s000,00\s€/);
    expect(renderMessage(models['agreement.renewal'], 'fr', null).subject).toBe(
      'Renouvellement : Blue Tech cooperation expire le 15 janvier 2027',
    );
  });
});
