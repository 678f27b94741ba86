import type { Language } from '@passerelle/domain';
import type { Template } from '../model';
import type { Formatter } from './format';
import type { DocumentView, MeetingView, ModelOf } from './message-model';

/** A message as structure: rendering to text and HTML (with escaping) happens in one place. */
export interface MessageBody {
  subject: string;
  paragraphs: string[];
  /** Label → value, shown as a list. */
  details: [string, string][];
}

export type Catalogue = { [T in Template]: (model: ModelOf<T>, f: Formatter) => MessageBody };

export interface Phrases {
  greeting(name: string | null): string;
  signature: string;
  automatic: string;
}

const meetingDetails = (
  meeting: MeetingView,
  f: Formatter,
  labels: Record<'when' | 'where' | 'video' | 'agenda', string>,
) => {
  const details: [string, string][] = [[labels.when, f.dateTime(meeting.startsAt, meeting.timezone)]];
  if (meeting.location) details.push([labels.where, meeting.location]);
  if (meeting.videoUrl) details.push([labels.video, meeting.videoUrl]);
  if (meeting.agenda) details.push([labels.agenda, meeting.agenda]);
  return details;
};

const documentDetails = (
  document: DocumentView,
  f: Formatter,
  labels: Record<'title' | 'scope' | 'term' | 'signatories' | 'signed', string>,
  months: (n: number) => string,
) => {
  const details: [string, string][] = [[labels.title, document.title]];
  if (document.scope) details.push([labels.scope, document.scope]);
  if (document.termMonths !== null) details.push([labels.term, months(document.termMonths)]);
  details.push([labels.signatories, f.list(document.signatories)]);
  if (document.signed.length > 0) details.push([labels.signed, f.list(document.signed)]);
  return details;
};

const EN_MEETING = { when: 'When', where: 'Where', video: 'Video link', agenda: 'Agenda' };
const EN_DOCUMENT = {
  title: 'Title',
  scope: 'Scope',
  term: 'Term',
  signatories: 'Signatories',
  signed: 'Signed so far',
};
const enDocument = (kind: DocumentView['kind']) =>
  kind === 'mou' ? 'memorandum of understanding' : 'agreement';
const enMonths = (n: number) => `${n} month${n === 1 ? '' : 's'}`;

export const en: Catalogue = {
  'meeting.invitation': ({ partnershipTitle, meeting }, f) => ({
    subject: `Invitation: introduction meeting, ${partnershipTitle}`,
    paragraphs: [
      `You are invited to the introduction meeting of the partnership “${partnershipTitle}”.`,
      'The calendar invitation is attached.',
    ],
    details: meetingDetails(meeting, f, EN_MEETING),
  }),
  'meeting.updated': ({ partnershipTitle, meeting }, f) => ({
    subject: `Updated: introduction meeting, ${partnershipTitle}`,
    paragraphs: [
      `The introduction meeting of the partnership “${partnershipTitle}” has moved` +
        (meeting.previousStartsAt
          ? ` (it was on ${f.dateTime(meeting.previousStartsAt, meeting.timezone)}).`
          : '.'),
      'The attached invitation updates your calendar.',
    ],
    details: meetingDetails(meeting, f, EN_MEETING),
  }),
  'meeting.cancelled': ({ partnershipTitle, meeting }, f) => ({
    subject: `Cancelled: introduction meeting, ${partnershipTitle}`,
    paragraphs: [
      `The introduction meeting of the partnership “${partnershipTitle}” planned for ` +
        `${f.dateTime(meeting.startsAt, meeting.timezone)} is cancelled.`,
      ...(meeting.reason ? [`Reason: ${meeting.reason}`] : []),
      'The attachment removes it from your calendar.',
    ],
    details: [],
  }),
  'meeting.reminder': ({ partnershipTitle, meeting }, f) => ({
    subject: `Reminder: introduction meeting, ${partnershipTitle}`,
    paragraphs: [
      `A reminder: the introduction meeting of the partnership “${partnershipTitle}” is coming up.`,
    ],
    details: meetingDetails(meeting, f, EN_MEETING),
  }),
  'signature.request': ({ partnershipTitle, document, organizationName, amendmentReason }, f) => ({
    subject: `Signature requested: ${document.title}`,
    paragraphs: [
      amendmentReason
        ? `The ${enDocument(document.kind)} “${document.title}” of the partnership “${partnershipTitle}” was amended (${amendmentReason}); signatures collected before the amendment no longer count.`
        : `The ${enDocument(document.kind)} “${document.title}” of the partnership “${partnershipTitle}” is ready for signature.`,
      `${organizationName} is asked to sign it.`,
    ],
    details: documentDetails(document, f, EN_DOCUMENT, enMonths),
  }),
  'signature.reminder': ({ partnershipTitle, document, organizationName, reminder, reminderMax }, f) => ({
    subject: `Reminder ${reminder}/${reminderMax}: signature awaited, ${document.title}`,
    paragraphs: [
      `The ${enDocument(document.kind)} “${document.title}” of the partnership “${partnershipTitle}” still awaits the signature of ${organizationName}.`,
    ],
    details: documentDetails(document, f, EN_DOCUMENT, enMonths),
  }),
  'agreement.executed': ({ partnershipTitle, title, executedOn, expiresOn, signatories }, f) => ({
    subject: `Agreement signed: ${title}`,
    paragraphs: [
      `All signatories have signed the agreement “${title}” of the partnership “${partnershipTitle}”. It is in force.`,
    ],
    details: [
      ['Signatories', f.list(signatories)],
      ['Executed on', f.date(executedOn)],
      ['Expires on', f.date(expiresOn)],
    ],
  }),
  'mou.executed': ({ partnershipTitle, title, executedOn, signatories }, f) => ({
    subject: `Memorandum of understanding signed: ${title}`,
    paragraphs: [
      `The memorandum of understanding “${title}” of the partnership “${partnershipTitle}” has been signed by all its signatories.`,
    ],
    details: [
      ['Signatories', f.list(signatories)],
      ['Executed on', f.date(executedOn)],
    ],
  }),
  'project.launched': ({ partnershipTitle, title, description, startsOn, budget, leads, milestones }, f) => ({
    subject: `Joint project launched: ${title}`,
    paragraphs: [
      `The partnership “${partnershipTitle}” has launched the joint project “${title}”.`,
      ...(description ? [description] : []),
    ],
    details: [
      ['Starts on', f.date(startsOn)],
      ['Budget', f.money(budget.amount, budget.currency)],
      ['Led by', f.list(leads)],
      ...milestones.map((m): [string, string] => ['Milestone', `${m.title} (${f.date(m.dueOn)})`]),
    ],
  }),
  'partnership.withdrawn': ({ partnershipTitle, reason }) => ({
    subject: `Partnership withdrawn: ${partnershipTitle}`,
    paragraphs: [`The partnership “${partnershipTitle}” has been withdrawn.`, `Reason: ${reason}`],
    details: [],
  }),
  'agreement.renewal': ({ partnershipTitle, title, expiresOn, signatories }, f) => ({
    subject: `Renewal: ${title} expires on ${f.date(expiresOn)}`,
    paragraphs: [
      `The agreement “${title}” of the partnership “${partnershipTitle}” expires on ${f.date(expiresOn)}.`,
      'If the parties wish to continue, now is the time to draft its renewal.',
    ],
    details: [['Signatories', f.list(signatories)]],
  }),
};

const FR_MEETING = { when: 'Date', where: 'Lieu', video: 'Lien visio', agenda: 'Ordre du jour' };
const FR_DOCUMENT = {
  title: 'Titre',
  scope: 'Objet',
  term: 'Durée',
  signatories: 'Signataires',
  signed: 'Déjà signé par',
};
const frDocument = (kind: DocumentView['kind']) => (kind === 'mou' ? 'le protocole d’accord' : 'l’accord');
const frMonths = (n: number) => `${n} mois`;

export const fr: Catalogue = {
  'meeting.invitation': ({ partnershipTitle, meeting }, f) => ({
    subject: `Invitation : réunion d’introduction, ${partnershipTitle}`,
    paragraphs: [
      `Vous êtes invité·e à la réunion d’introduction du partenariat « ${partnershipTitle} ».`,
      'L’invitation pour votre agenda est jointe.',
    ],
    details: meetingDetails(meeting, f, FR_MEETING),
  }),
  'meeting.updated': ({ partnershipTitle, meeting }, f) => ({
    subject: `Modification : réunion d’introduction, ${partnershipTitle}`,
    paragraphs: [
      `La réunion d’introduction du partenariat « ${partnershipTitle} » a été déplacée` +
        (meeting.previousStartsAt
          ? ` (elle était prévue le ${f.dateTime(meeting.previousStartsAt, meeting.timezone)}).`
          : '.'),
      'L’invitation jointe met votre agenda à jour.',
    ],
    details: meetingDetails(meeting, f, FR_MEETING),
  }),
  'meeting.cancelled': ({ partnershipTitle, meeting }, f) => ({
    subject: `Annulation : réunion d’introduction, ${partnershipTitle}`,
    paragraphs: [
      `La réunion d’introduction du partenariat « ${partnershipTitle} » prévue le ` +
        `${f.dateTime(meeting.startsAt, meeting.timezone)} est annulée.`,
      ...(meeting.reason ? [`Motif : ${meeting.reason}`] : []),
      'La pièce jointe la retire de votre agenda.',
    ],
    details: [],
  }),
  'meeting.reminder': ({ partnershipTitle, meeting }, f) => ({
    subject: `Rappel : réunion d’introduction, ${partnershipTitle}`,
    paragraphs: [`Pour rappel, la réunion d’introduction du partenariat « ${partnershipTitle} » approche.`],
    details: meetingDetails(meeting, f, FR_MEETING),
  }),
  'signature.request': ({ partnershipTitle, document, organizationName, amendmentReason }, f) => ({
    subject: `Signature demandée : ${document.title}`,
    paragraphs: [
      amendmentReason
        ? `${capitalize(frDocument(document.kind))} « ${document.title} » du partenariat « ${partnershipTitle} » a été modifié (${amendmentReason}) ; les signatures recueillies avant la modification ne valent plus.`
        : `${capitalize(frDocument(document.kind))} « ${document.title} » du partenariat « ${partnershipTitle} » est prêt à être signé.`,
      `${organizationName} est invité·e à le signer.`,
    ],
    details: documentDetails(document, f, FR_DOCUMENT, frMonths),
  }),
  'signature.reminder': ({ partnershipTitle, document, organizationName, reminder, reminderMax }, f) => ({
    subject: `Rappel ${reminder}/${reminderMax} : signature attendue, ${document.title}`,
    paragraphs: [
      `${capitalize(frDocument(document.kind))} « ${document.title} » du partenariat « ${partnershipTitle} » attend toujours la signature de ${organizationName}.`,
    ],
    details: documentDetails(document, f, FR_DOCUMENT, frMonths),
  }),
  'agreement.executed': ({ partnershipTitle, title, executedOn, expiresOn, signatories }, f) => ({
    subject: `Accord signé : ${title}`,
    paragraphs: [
      `Tous les signataires ont signé l’accord « ${title} » du partenariat « ${partnershipTitle} ». Il est en vigueur.`,
    ],
    details: [
      ['Signataires', f.list(signatories)],
      ['Entré en vigueur le', f.date(executedOn)],
      ['Expire le', f.date(expiresOn)],
    ],
  }),
  'mou.executed': ({ partnershipTitle, title, executedOn, signatories }, f) => ({
    subject: `Protocole d’accord signé : ${title}`,
    paragraphs: [
      `Le protocole d’accord « ${title} » du partenariat « ${partnershipTitle} » a été signé par tous ses signataires.`,
    ],
    details: [
      ['Signataires', f.list(signatories)],
      ['Signé le', f.date(executedOn)],
    ],
  }),
  'project.launched': ({ partnershipTitle, title, description, startsOn, budget, leads, milestones }, f) => ({
    subject: `Projet commun lancé : ${title}`,
    paragraphs: [
      `Le partenariat « ${partnershipTitle} » a lancé le projet commun « ${title} ».`,
      ...(description ? [description] : []),
    ],
    details: [
      ['Début', f.date(startsOn)],
      ['Budget', f.money(budget.amount, budget.currency)],
      ['Pilotes', f.list(leads)],
      ...milestones.map((m): [string, string] => ['Jalon', `${m.title} (${f.date(m.dueOn)})`]),
    ],
  }),
  'partnership.withdrawn': ({ partnershipTitle, reason }) => ({
    subject: `Partenariat abandonné : ${partnershipTitle}`,
    paragraphs: [`Le partenariat « ${partnershipTitle} » a été abandonné.`, `Motif : ${reason}`],
    details: [],
  }),
  'agreement.renewal': ({ partnershipTitle, title, expiresOn, signatories }, f) => ({
    subject: `Renouvellement : ${title} expire le ${f.date(expiresOn)}`,
    paragraphs: [
      `L’accord « ${title} » du partenariat « ${partnershipTitle} » expire le ${f.date(expiresOn)}.`,
      'Si les parties souhaitent poursuivre, il est temps d’en préparer le renouvellement.',
    ],
    details: [['Signataires', f.list(signatories)]],
  }),
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const CATALOGUES: Record<Language, Catalogue> = { en, fr };

export const PHRASES: Record<Language, Phrases> = {
  en: {
    greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
    signature: 'Passerelle · California–France innovation partnerships',
    automatic: 'This is an automatic message; replies are not read.',
  },
  fr: {
    greeting: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    signature: 'Passerelle · partenariats d’innovation Californie–France',
    automatic: 'Ce message est envoyé automatiquement ; les réponses ne sont pas lues.',
  },
};
