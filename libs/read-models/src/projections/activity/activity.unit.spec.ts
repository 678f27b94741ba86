import { ORGANIZATION_EVENT_VERSIONS, PARTNERSHIP_EVENT_VERSIONS } from '@passerelle/domain';
import {
  AGREEMENT_ID,
  agreementDrafted,
  agreementExecuted,
  agreementSigned,
  event,
  FR_COMPANY,
  GOBIZ,
  histories,
  IHUB,
  meetingHeld,
  meetingScheduled,
  MILESTONE_1,
  MOU_ID,
  mouDrafted,
  OCCURRED_AT,
  PARTNERSHIP_ID,
  POLE,
  PROJECT_ID,
  projectLaunched,
  proposed,
  REGION,
} from '@passerelle/domain/testing/fixtures';
import { describeActivity, listOf, writtenDay } from '../../queries/activity-text';
import { recorded } from '../../testing/recorded';
import { ActivityRow, activityRowOf } from './activity.projection';

const NAMES: Record<string, string> = {
  [IHUB.id]: IHUB.name,
  [POLE.id]: POLE.name,
  [REGION.id]: REGION.name,
};
const ITEMS: Record<string, string> = {
  [AGREEMENT_ID]: 'Cluster cooperation agreement',
  [PROJECT_ID]: 'Underwater drone testbed',
  [MOU_ID]: 'Memorandum of understanding on the blue economy',
};
const context = {
  organizationName: (id: string) => NAMES[id],
  partnershipTitle: () => 'Blue economy bridge',
  itemTitle: (_partnershipId: string, itemId: string) => ITEMS[itemId],
};
type Event = { type: string; data: Record<string, unknown> };
const rowsOf = (events: Event[]) => recorded(`partnership-${PARTNERSHIP_ID}`, events).map(activityRowOf);
const rowOf = (e: Event): ActivityRow =>
  e.type === 'OrganizationRegistered'
    ? activityRowOf(recorded(`organization-${String(e.data.organizationId)}`, [e])[0]!)
    : rowsOf([e])[0]!;

describe('the activity feed', () => {
  it('keeps one row per event with its actor and business time, and no personal data', () => {
    const [scheduled] = rowsOf([meetingScheduled()]);
    expect(scheduled).toMatchObject({
      type: 'IntroductionMeetingScheduled',
      partnershipId: PARTNERSHIP_ID,
      actorName: 'Olivia Officer',
      occurredAt: '2025-03-10T09:00:00.000Z',
      facts: { startsAt: '2025-03-03T17:00:00.000Z', attendeeOrganizations: [IHUB.id, POLE.id] },
    });
    expect(JSON.stringify(scheduled)).not.toContain(IHUB.contacts[0]!.email);
    const signed = rowsOf(histories.agreementExecuted()).find((row) => row.type === 'AgreementSigned')!;
    expect(JSON.stringify(signed)).not.toContain(IHUB.contacts[0]!.name);
  });

  it('says what happened in plain words, with the organisations’ names', () => {
    const texts = rowsOf(histories.mouDrafted()).map((row) => describeActivity(row, context));
    expect(texts).toEqual([
      `${IHUB.name}, ${POLE.name}, GO-Biz and ${REGION.name} proposed the partnership «Blue economy bridge»`.replace(
        'GO-Biz',
        'an unknown organisation',
      ),
      `${IHUB.name} and ${POLE.name} will meet on 3 March 2025 to introduce «Blue economy bridge»`,
      'The parties of «Blue economy bridge» met on 3 March 2025 and want to go further',
      `The agreement «Cluster cooperation agreement» of «Blue economy bridge» awaits the signatures of ${IHUB.name} and ${POLE.name}`,
      `${IHUB.name} signed the agreement «Cluster cooperation agreement»`,
      `${POLE.name} signed the agreement «Cluster cooperation agreement»`,
      `${IHUB.name} and ${POLE.name} executed the agreement «Cluster cooperation agreement»`,
      `${IHUB.name} and ${POLE.name} launched the joint project «Underwater drone testbed» with a budget of 250,000 EUR`,
      'The memorandum of understanding «Memorandum of understanding on the blue economy» awaits the signatures of an unknown organisation and Région Sud',
    ]);
  });

  it('joins names as a sentence would, in each language', () => {
    expect([listOf([]), listOf(['A']), listOf(['A', 'B']), listOf(['A', 'B', 'C'])]).toEqual([
      '',
      'A',
      'A and B',
      'A, B and C',
    ]);
    expect([listOf(['A'], 'fr'), listOf(['A', 'B'], 'fr'), listOf(['A', 'B', 'C'], 'fr')]).toEqual([
      'A',
      'A et B',
      'A, B et C',
    ]);
  });

  it('writes dates out in each language, the first of the month as French writes it', () => {
    expect(writtenDay('2016-03-02')).toBe('2 March 2016');
    expect(writtenDay('2016-03-02', 'fr')).toBe('2 mars 2016');
    expect(writtenDay('2025-08-01T17:00:00.000Z', 'fr')).toBe('1er août 2025');
    expect(writtenDay('2025-12-31', 'en')).toBe('31 December 2025');
    expect([writtenDay('soon'), writtenDay(undefined, 'fr'), writtenDay('2025-13-01')]).toEqual([
      '?',
      '?',
      '?',
    ]);
  });
});

/** One event of every type the feed shows, with French words wherever the user writes them. */
const SAMPLES: Record<string, Event> = {
  PartnershipProposed: proposed(),
  IntroductionMeetingScheduled: meetingScheduled(),
  IntroductionMeetingRescheduled: event('IntroductionMeetingRescheduled', {
    ...meetingScheduled().data,
    startsAt: '2025-03-12T17:00:00.000Z',
    endsAt: '2025-03-12T18:00:00.000Z',
    previousStartsAt: '2025-03-03T17:00:00.000Z',
    previousEndsAt: '2025-03-03T18:00:00.000Z',
    sequence: 1,
  }),
  IntroductionMeetingCancelled: event('IntroductionMeetingCancelled', {
    ...meetingScheduled().data,
    sequence: 1,
    reason: 'grève des transports',
  }),
  IntroductionMeetingHeld: meetingHeld('follow_up'),
  AgreementDrafted: agreementDrafted(),
  AgreementAmended: event('AgreementAmended', {
    agreementId: AGREEMENT_ID,
    reason: 'durée portée à 36 mois',
    amendment: 1,
    title: 'Cluster cooperation agreement',
    scope: null,
    termMonths: 36,
    signatories: [IHUB.id, POLE.id],
    clearedSignatures: [IHUB.id],
  }),
  AgreementSigned: agreementSigned(POLE, '2025-03-05', []),
  AgreementExecuted: agreementExecuted(),
  AgreementExpired: event('AgreementExpired', {
    agreementId: AGREEMENT_ID,
    title: 'Cluster cooperation agreement',
    expiresOn: '2027-03-01',
  }),
  JointProjectLaunched: projectLaunched(),
  JointProjectMilestoneReached: event('JointProjectMilestoneReached', {
    projectId: PROJECT_ID,
    milestoneId: MILESTONE_1,
    title: 'Testbed specification',
    dueOn: '2025-06-30',
    reachedOn: '2025-06-20',
  }),
  JointProjectCompleted: event('JointProjectCompleted', {
    projectId: PROJECT_ID,
    title: 'Underwater drone testbed',
    completedOn: '2025-12-20',
    summary: null,
  }),
  MouDrafted: mouDrafted(),
  MouSigned: event('MouSigned', {
    mouId: MOU_ID,
    organizationId: REGION.id,
    signerName: REGION.contacts[0].name,
    signedAt: '2025-07-01T00:00:00.000Z',
    signedOn: '2025-07-01',
    pendingSignatories: [GOBIZ.id],
  }),
  MouExecuted: event('MouExecuted', {
    mouId: MOU_ID,
    title: 'Memorandum of understanding on the blue economy',
    signatories: [IHUB.id, REGION.id],
    executedOn: '2025-07-02',
  }),
  PartnershipSuspended: event('PartnershipSuspended', { reason: 'gel budgétaire', fromStage: 'introduced' }),
  PartnershipResumed: event('PartnershipResumed', { toStage: 'introduced' }),
  PartnershipWithdrawn: event('PartnershipWithdrawn', {
    reason: 'priorités revues',
    fromStage: 'introduced',
    wasOnHold: false,
  }),
  OrganizationRegistered: {
    type: 'OrganizationRegistered',
    data: {
      organizationId: FR_COMPANY.id,
      name: FR_COMPANY.name,
      kind: 'company',
      country: 'FR',
      region: 'Provence-Alpes-Côte d’Azur',
      sectors: ['blue_economy'],
      website: null,
      contacts: FR_COMPANY.contacts,
      occurredAt: OCCURRED_AT,
    },
  },
};

/** Words of the English sentences that a French sentence must not contain (titles aside). */
const ENGLISH = new Set(
  [
    'the and of on was will with to from its for an not up put go again',
    'proposed meet met meeting scheduled moved cancelled introduce want further follow',
    'agreement awaits amended sign signed signatories executed expired',
    'joint project launched reached milestone completed memorandum understanding',
    'partnership hold resumed withdrawn joined register unknown untitled',
    'january february march april may june july august september october november december',
  ]
    .join(' ')
    .split(' '),
);
/** And the other way round. */
const FRENCH = new Set(
  [
    'le la les et du des ont été partenariat accord protocole réunion réunies signé conclu projet commun',
    'jalon registre rejoint attend prévue fixée déplacée annulée suspendu abandonné repris inconnue',
    'janvier février mars avril mai juin juillet août septembre octobre novembre décembre',
  ]
    .join(' ')
    .split(' '),
);
const wordsOf = (sentence: string) =>
  sentence
    .replace(/«[^»]*»/g, ' ')
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter(Boolean);

describe('the activity feed in English and French', () => {
  const every = [...Object.keys(PARTNERSHIP_EVENT_VERSIONS), ...Object.keys(ORGANIZATION_EVENT_VERSIONS)];

  it('has a sample of every event type the feed shows', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...every].sort());
  });

  it.each(every)('puts %s into words in both languages, each in its own', (type) => {
    const row = rowOf(SAMPLES[type]!);
    const en = describeActivity(row, context, 'en');
    const fr = describeActivity(row, context, 'fr');
    for (const sentence of [en, fr]) {
      expect(sentence).not.toBe(type);
      expect(sentence).not.toMatch(/undefined|null|NaN|\?|«»/);
    }
    expect(fr).not.toBe(en);
    expect(wordsOf(fr).filter((word) => ENGLISH.has(word))).toEqual([]);
    expect(wordsOf(en).filter((word) => FRENCH.has(word))).toEqual([]);
    // French typography: non-breaking spaces inside « » and before the colon and semicolon, curly apostrophes.
    expect(fr).not.toMatch(/«[^\u00a0]|[^\u00a0]»| [:;]|'/);
    expect(en).toBe(describeActivity(row, context));
  });

  it('says it in French, with the participles agreeing and French typography', () => {
    const texts = rowsOf(histories.mouDrafted()).map((row) => describeActivity(row, context, 'fr'));
    const q = (title: string) => `«\u00a0${title}\u00a0»`;
    expect(texts).toEqual([
      `${IHUB.name}, ${POLE.name}, une organisation inconnue et ${REGION.name} ont proposé le partenariat ${q('Blue economy bridge')}`,
      `${IHUB.name} et ${POLE.name} se rencontreront le 3 mars 2025 pour la réunion d’introduction du partenariat ${q('Blue economy bridge')}`,
      `Les parties du partenariat ${q('Blue economy bridge')} se sont réunies le 3 mars 2025 et souhaitent aller plus loin`,
      `L’accord ${q('Cluster cooperation agreement')} du partenariat ${q('Blue economy bridge')} attend les signatures de ${IHUB.name} et ${POLE.name}`,
      `${IHUB.name} a signé l’accord ${q('Cluster cooperation agreement')}`,
      `${POLE.name} a signé l’accord ${q('Cluster cooperation agreement')}`,
      `${IHUB.name} et ${POLE.name} ont conclu l’accord ${q('Cluster cooperation agreement')}`,
      `${IHUB.name} et ${POLE.name} ont lancé le projet commun ${q('Underwater drone testbed')} avec un budget de 250\u202f000\u00a0EUR`,
      `Le protocole d’accord ${q('Memorandum of understanding on the blue economy')} attend les signatures d’une organisation inconnue et ${REGION.name}`,
    ]);
  });

  it('says the other events in full in both languages', () => {
    const say = (type: string) => {
      const row = rowOf(SAMPLES[type]!);
      return [describeActivity(row, context, 'en'), describeActivity(row, context, 'fr')];
    };
    expect(say('IntroductionMeetingRescheduled')).toEqual([
      'The introduction meeting for «Blue economy bridge» moved from 3 March 2025 to 12 March 2025',
      'La réunion d’introduction du partenariat «\u00a0Blue economy bridge\u00a0» a été déplacée du 3 mars 2025 au 12 mars 2025',
    ]);
    expect(say('IntroductionMeetingCancelled')).toEqual([
      'The introduction meeting for «Blue economy bridge» on 3 March 2025 was cancelled',
      'La réunion d’introduction du partenariat «\u00a0Blue economy bridge\u00a0» prévue le 3 mars 2025 a été annulée',
    ]);
    expect(say('AgreementAmended')).toEqual([
      'The agreement «Cluster cooperation agreement» was amended (durée portée à 36 mois); its signatories sign again',
      'L’accord «\u00a0Cluster cooperation agreement\u00a0» a été modifié (durée portée à 36 mois)\u202f; ses signataires le signent à nouveau',
    ]);
    expect(say('PartnershipSuspended')).toEqual([
      '«Blue economy bridge» was put on hold: gel budgétaire',
      'Le partenariat «\u00a0Blue economy bridge\u00a0» a été suspendu\u00a0: gel budgétaire',
    ]);
    expect(say('MouExecuted')[1]).toBe(
      `${IHUB.name} et ${REGION.name} ont conclu le protocole d’accord «\u00a0Memorandum of understanding on the blue economy\u00a0»`,
    );
    expect(say('OrganizationRegistered')).toEqual([
      'Sous-Marine SAS (FR) joined the register',
      'Sous-Marine SAS (FR) a rejoint le registre',
    ]);
  });

  it('words each meeting outcome in French', () => {
    const outcomes = (['interested', 'follow_up', 'not_interested'] as const).map((outcome) =>
      describeActivity(rowOf(meetingHeld(outcome)), context, 'fr').replace(/^.* et /, ''),
    );
    expect(outcomes).toEqual(['souhaitent aller plus loin', 'reprendront contact', 'n’iront pas plus loin']);
  });

  it('agrees the French verb with a single organisation, and elides « de » before a vowel', () => {
    const lone = rowsOf([
      { ...proposed(), data: { ...proposed().data, parties: [POLE.id] } },
      meetingScheduled({ attendees: [meetingScheduled().data.attendees[0]!] }),
      agreementDrafted({ signatories: [GOBIZ.id] }),
    ]).map((row) => describeActivity(row, context, 'fr'));
    expect(lone).toEqual([
      `${POLE.name} a proposé le partenariat «\u00a0Blue economy bridge\u00a0»`,
      `${IHUB.name} participera le 3 mars 2025 à la réunion d’introduction du partenariat «\u00a0Blue economy bridge\u00a0»`,
      'L’accord «\u00a0Cluster cooperation agreement\u00a0» du partenariat «\u00a0Blue economy bridge\u00a0» attend les signatures d’une organisation inconnue',
    ]);
    const unknown = describeActivity(rowOf(agreementSigned(GOBIZ, '2025-03-05', [])), context, 'fr');
    expect(unknown).toBe(
      'Une organisation inconnue a signé l’accord «\u00a0Cluster cooperation agreement\u00a0»',
    );
  });

  it('leaves an event type it has no words for as its name, in both languages', () => {
    const row = { ...rowOf(proposed()), type: 'SomethingNew' };
    expect([describeActivity(row, context, 'en'), describeActivity(row, context, 'fr')]).toEqual([
      'SomethingNew',
      'SomethingNew',
    ]);
  });
});
