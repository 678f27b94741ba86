import type { Language, OrganizationEvent, PartnershipEventType } from '@passerelle/domain';
import type { ActivityRow } from '../projections/activity/activity.projection';

export interface ActivityContext {
  organizationName(id: string): string | undefined;
  partnershipTitle(id: string): string | undefined;
  /** Title of an agreement, MOU or project of a partnership, by its id. */
  itemTitle(partnershipId: string, itemId: string): string | undefined;
}

/** What a template may say about the event, already in the template's language. */
interface Words {
  /** The partnership's title, quoted. */
  partnership: string;
  /** The title the event carries, quoted. */
  title: string;
  /** The title of the agreement, MOU or project whose id is at `key`, quoted. */
  item(key: string): string;
  /** The organisation of `organizationId`. */
  organization: string;
  /** The organisations whose ids are at `key`, as a list. */
  organizations(key: string): string;
  /** Whether `key` lists more than one organisation (the verb agrees). */
  several(key: string): boolean;
  /** The calendar day of the date or time at `key`, written out. */
  date(key: string): string;
  /** The value at `key` as it was written (a reason, a name). */
  text(key: string): string;
  /** The meeting's outcome in words. */
  outcome: string;
  /** The project's budget, or null when it has none. */
  budget: string | null;
}

type EventType = PartnershipEventType | OrganizationEvent['type'];

interface Phrasebook {
  /** Around a title. */
  quotes: [open: string, close: string];
  /** The last separator of a list: "A, B and C". */
  and: string;
  unknownOrganization: string;
  untitled: string;
  months: readonly string[];
  day(day: number, month: string, year: number): string;
  amount(amount: number, currency: string): string;
  outcomes: Record<string, string>;
  sentences: Record<EventType, (w: Words) => string>;
}

const NBSP = '\u00a0';
/** French typography: a thin non-breaking space before `;`, `!` and `?`. */
const NNBSP = '\u202f';

const amountIn = (locale: string) => (amount: number) =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(amount);

/** French "de" before a name: "d’" before a vowel. */
const de = (text: string) => (/^[aeiouyàâäéèêëîïôöùûü]/i.test(text) ? `d’${text}` : `de ${text}`);

const EN: Phrasebook = {
  quotes: ['«', '»'],
  and: ' and ',
  unknownOrganization: 'an unknown organisation',
  untitled: 'untitled',
  months: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  day: (day, month, year) => `${day} ${month} ${year}`,
  amount: (amount, currency) => `${amountIn('en-US')(amount)} ${currency}`,
  outcomes: {
    interested: 'want to go further',
    follow_up: 'will follow up',
    not_interested: 'will not go further',
  },
  sentences: {
    PartnershipProposed: (w) => `${w.organizations('parties')} proposed the partnership ${w.title}`,
    IntroductionMeetingScheduled: (w) =>
      w.organizations('attendeeOrganizations')
        ? `${w.organizations('attendeeOrganizations')} will meet on ${w.date('startsAt')} to introduce ${w.partnership}`
        : `An introduction meeting for ${w.partnership} was scheduled on ${w.date('startsAt')}`,
    IntroductionMeetingRescheduled: (w) =>
      `The introduction meeting for ${w.partnership} moved from ${w.date('previousStartsAt')} to ${w.date('startsAt')}`,
    IntroductionMeetingCancelled: (w) =>
      `The introduction meeting for ${w.partnership} on ${w.date('startsAt')} was cancelled`,
    IntroductionMeetingHeld: (w) =>
      `The parties of ${w.partnership} met on ${w.date('heldAt')} and ${w.outcome}`,
    AgreementDrafted: (w) =>
      `The agreement ${w.title} of ${w.partnership} awaits the signatures of ${w.organizations('signatories')}`,
    AgreementAmended: (w) =>
      `The agreement ${w.title} was amended (${w.text('reason')}); its signatories sign again`,
    AgreementSigned: (w) => `${w.organization} signed the agreement ${w.item('agreementId')}`,
    AgreementExecuted: (w) => `${w.organizations('signatories')} executed the agreement ${w.title}`,
    AgreementExpired: (w) => `The agreement ${w.title} of ${w.partnership} expired on ${w.date('expiresOn')}`,
    JointProjectLaunched: (w) =>
      `${w.organizations('leads')} launched the joint project ${w.title}` +
      (w.budget ? ` with a budget of ${w.budget}` : ''),
    JointProjectMilestoneReached: (w) =>
      `The joint project ${w.item('projectId')} reached its milestone ${w.title} on ${w.date('reachedOn')}`,
    JointProjectCompleted: (w) => `The joint project ${w.title} was completed on ${w.date('completedOn')}`,
    MouDrafted: (w) =>
      `The memorandum of understanding ${w.title} awaits the signatures of ${w.organizations('signatories')}`,
    MouSigned: (w) => `${w.organization} signed the memorandum of understanding ${w.item('mouId')}`,
    MouExecuted: (w) =>
      `${w.organizations('signatories')} executed the memorandum of understanding ${w.title}`,
    PartnershipSuspended: (w) => `${w.partnership} was put on hold: ${w.text('reason')}`,
    PartnershipResumed: (w) => `${w.partnership} resumed`,
    PartnershipWithdrawn: (w) => `${w.partnership} was withdrawn: ${w.text('reason')}`,
    OrganizationRegistered: (w) => `${w.text('name')} (${w.text('country')}) joined the register`,
  },
};

const FR: Phrasebook = {
  quotes: [`«${NBSP}`, `${NBSP}»`],
  and: ' et ',
  unknownOrganization: 'une organisation inconnue',
  untitled: 'sans titre',
  months: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  day: (day, month, year) => `${day === 1 ? '1er' : day} ${month} ${year}`,
  amount: (amount, currency) => `${amountIn('fr-FR')(amount)}${NBSP}${currency}`,
  outcomes: {
    interested: 'souhaitent aller plus loin',
    follow_up: 'reprendront contact',
    not_interested: 'n’iront pas plus loin',
  },
  sentences: {
    PartnershipProposed: (w) =>
      `${w.organizations('parties')} ${w.several('parties') ? 'ont' : 'a'} proposé le partenariat ${w.title}`,
    IntroductionMeetingScheduled: (w) =>
      !w.organizations('attendeeOrganizations')
        ? `Une réunion d’introduction du partenariat ${w.partnership} a été fixée au ${w.date('startsAt')}`
        : w.several('attendeeOrganizations')
          ? `${w.organizations('attendeeOrganizations')} se rencontreront le ${w.date('startsAt')} pour la réunion d’introduction du partenariat ${w.partnership}`
          : `${w.organizations('attendeeOrganizations')} participera le ${w.date('startsAt')} à la réunion d’introduction du partenariat ${w.partnership}`,
    IntroductionMeetingRescheduled: (w) =>
      `La réunion d’introduction du partenariat ${w.partnership} a été déplacée du ${w.date('previousStartsAt')} au ${w.date('startsAt')}`,
    IntroductionMeetingCancelled: (w) =>
      `La réunion d’introduction du partenariat ${w.partnership} prévue le ${w.date('startsAt')} a été annulée`,
    IntroductionMeetingHeld: (w) =>
      `Les parties du partenariat ${w.partnership} se sont réunies le ${w.date('heldAt')} et ${w.outcome}`,
    AgreementDrafted: (w) =>
      `L’accord ${w.title} du partenariat ${w.partnership} attend les signatures ${de(w.organizations('signatories'))}`,
    AgreementAmended: (w) =>
      `L’accord ${w.title} a été modifié (${w.text('reason')})${NNBSP}; ses signataires le signent à nouveau`,
    AgreementSigned: (w) => `${w.organization} a signé l’accord ${w.item('agreementId')}`,
    AgreementExecuted: (w) =>
      `${w.organizations('signatories')} ${w.several('signatories') ? 'ont' : 'a'} conclu l’accord ${w.title}`,
    AgreementExpired: (w) =>
      `L’accord ${w.title} du partenariat ${w.partnership} a expiré le ${w.date('expiresOn')}`,
    JointProjectLaunched: (w) =>
      `${w.organizations('leads')} ${w.several('leads') ? 'ont' : 'a'} lancé le projet commun ${w.title}` +
      (w.budget ? ` avec un budget de ${w.budget}` : ''),
    JointProjectMilestoneReached: (w) =>
      `Le projet commun ${w.item('projectId')} a atteint son jalon ${w.title} le ${w.date('reachedOn')}`,
    JointProjectCompleted: (w) => `Le projet commun ${w.title} a été achevé le ${w.date('completedOn')}`,
    MouDrafted: (w) =>
      `Le protocole d’accord ${w.title} attend les signatures ${de(w.organizations('signatories'))}`,
    MouSigned: (w) => `${w.organization} a signé le protocole d’accord ${w.item('mouId')}`,
    MouExecuted: (w) =>
      `${w.organizations('signatories')} ${w.several('signatories') ? 'ont' : 'a'} conclu le protocole d’accord ${w.title}`,
    PartnershipSuspended: (w) => `Le partenariat ${w.partnership} a été suspendu${NBSP}: ${w.text('reason')}`,
    PartnershipResumed: (w) => `Le partenariat ${w.partnership} a repris`,
    PartnershipWithdrawn: (w) =>
      `Le partenariat ${w.partnership} a été abandonné${NBSP}: ${w.text('reason')}`,
    OrganizationRegistered: (w) => `${w.text('name')} (${w.text('country')}) a rejoint le registre`,
  },
};

/** The wording of the activity feed, one phrasebook per language. */
const PHRASEBOOKS: Record<Language, Phrasebook> = { en: EN, fr: FR };

/** "A", "A and B", "A, B and C" (French: "A, B et C"). */
export const listOf = (names: string[], language: Language = 'en'): string =>
  names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')}${PHRASEBOOKS[language].and}${names[names.length - 1]}`;

/** The calendar day of `YYYY-MM-DD` or an ISO time, written out: "2 March 2016", "2 mars 2016"; "?" otherwise. */
export function writtenDay(value: unknown, language: Language = 'en'): string {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  const book = PHRASEBOOKS[language];
  const month = match ? book.months[Number(match[2]) - 1] : undefined;
  return match && month ? book.day(Number(match[3]), month, Number(match[1])) : '?';
}

/** The feed entry in plain words, in `language`. Pure: names come from `context`. */
export function describeActivity(
  row: ActivityRow,
  context: ActivityContext,
  language: Language = 'en',
): string {
  const book = PHRASEBOOKS[language];
  const sentence = (book.sentences as Record<string, ((w: Words) => string) | undefined>)[row.type];
  if (!sentence) return row.type;
  const facts = row.facts;
  const quote = (title: string) => `${book.quotes[0]}${title}${book.quotes[1]}`;
  const ownTitle = typeof facts.title === 'string' ? facts.title : undefined;
  const pid = row.partnershipId ?? '';
  const org = (id: unknown) =>
    (typeof id === 'string' && context.organizationName(id)) || book.unknownOrganization;
  const ids = (key: string): unknown[] => (Array.isArray(facts[key]) ? (facts[key] as unknown[]) : []);
  const budget = facts.budget as { amount?: unknown; currency?: unknown } | undefined;
  const text = sentence({
    partnership: quote(context.partnershipTitle(pid) ?? ownTitle ?? book.untitled),
    title: quote(ownTitle ?? book.untitled),
    item: (key) =>
      quote(
        (typeof facts[key] === 'string' && context.itemTitle(pid, facts[key] as string)) ||
          ownTitle ||
          book.untitled,
      ),
    organization: org(facts.organizationId),
    organizations: (key) => listOf(ids(key).map(org), language),
    several: (key) => ids(key).length > 1,
    date: (key) => writtenDay(facts[key], language),
    text: (key) => String(facts[key]),
    outcome: book.outcomes[String(facts.outcome)] ?? String(facts.outcome),
    budget:
      typeof budget?.amount === 'number'
        ? book.amount(budget.amount, typeof budget.currency === 'string' ? budget.currency : '').trimEnd()
        : null,
  });
  // A sentence opening on an organisation the context does not know starts with a capital all the same.
  return text.startsWith(book.unknownOrganization) ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : text;
}
