import {
  histories,
  IHUB,
  meetingScheduled,
  PARTNERSHIP_ID,
  POLE,
  REGION,
} from '@passerelle/domain/testing/fixtures';
import { describeActivity, listOf } from '../../queries/activity-text';
import { recorded } from '../../testing/recorded';
import { activityRowOf } from './activity.projection';

const NAMES: Record<string, string> = {
  [IHUB.id]: IHUB.name,
  [POLE.id]: POLE.name,
  [REGION.id]: REGION.name,
};
const context = {
  organizationName: (id: string) => NAMES[id],
  partnershipTitle: () => 'Blue economy bridge',
  itemTitle: () => 'Cluster cooperation agreement',
};
const rowsOf = (events: { type: string; data: Record<string, unknown> }[]) =>
  recorded(`partnership-${PARTNERSHIP_ID}`, events).map(activityRowOf);

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
      `${IHUB.name} and ${POLE.name} will meet on 2025-03-03 to introduce «Blue economy bridge»`,
      'The parties of «Blue economy bridge» met on 2025-03-03 and want to go further',
      `The agreement «Cluster cooperation agreement» of «Blue economy bridge» awaits the signatures of ${IHUB.name} and ${POLE.name}`,
      `${IHUB.name} signed the agreement «Cluster cooperation agreement»`,
      `${POLE.name} signed the agreement «Cluster cooperation agreement»`,
      `${IHUB.name} and ${POLE.name} executed the agreement «Cluster cooperation agreement»`,
      `${IHUB.name} and ${POLE.name} launched the joint project «Underwater drone testbed» with a budget of 250000 EUR`,
      'The memorandum of understanding «Memorandum of understanding on the blue economy» awaits the signatures of an unknown organisation and Région Sud',
    ]);
  });

  it('joins names as a sentence would', () => {
    expect([listOf([]), listOf(['A']), listOf(['A', 'B']), listOf(['A', 'B', 'C'])]).toEqual([
      '',
      'A',
      'A and B',
      'A, B and C',
    ]);
  });
});
