import { agreementExecuted, histories, meetingScheduled } from '@passerelle/domain/testing/fixtures';
import { at, context, DAY, envelope, factsFrom, HOUR } from './testing/fixtures';
import { planEvent } from './plan-event';
import { withheldAsHistory } from './withheld';

describe('withheldAsHistory: what history keeps quiet', () => {
  it('counts the invitations of a meeting recorded after the fact', () => {
    const past = meetingScheduled({ invitations: false });
    const facts = factsFrom([...histories.proposed(), past]);
    expect(planEvent(envelope(past), facts, context()).notifications).toEqual([]);
    expect(withheldAsHistory(envelope(past), facts, context())).toEqual({ messages: 2, reminders: 0 });
  });

  it('withholds nothing from an upcoming meeting: its invitations go', () => {
    const upcoming = meetingScheduled({ startsAt: at(3 * DAY), endsAt: at(3 * DAY + HOUR) });
    const facts = factsFrom([...histories.proposed(), upcoming]);
    expect(withheldAsHistory(envelope(upcoming), facts, context())).toEqual({ messages: 0, reminders: 0 });
  });

  it('counts the notice of an agreement executed years ago, and its renewal reminder long past', () => {
    const executed = agreementExecuted('2017-01-12', '2020-01-12');
    const facts = factsFrom([...histories.agreementExecuted().slice(0, -1), executed]);
    const asNews = planEvent(envelope(executed), facts, {
      ...context(),
      settings: { ...context().settings, historyCutoffMs: Number.POSITIVE_INFINITY },
    });
    expect(asNews.notifications.length).toBeGreaterThan(0);
    expect(withheldAsHistory(envelope(executed), facts, context())).toEqual({
      messages: asNews.notifications.length,
      reminders: 1,
    });
  });
});
