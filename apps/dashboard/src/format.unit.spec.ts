import { formatMeetingTime } from './format';

describe('formatMeetingTime', () => {
  const at = '2026-12-02T21:00:00Z';

  it("shows a meeting in its own zone, named, and in the reader's when the clocks differ", () => {
    expect(formatMeetingTime('en', at, 'Europe/Paris', 'America/Los_Angeles')).toEqual({
      meeting: 'Dec 2, 2026, 10:00 PM (Europe/Paris)',
      reader: 'Dec 2, 2026, 1:00 PM (America/Los_Angeles)',
    });
  });

  it('says nothing more when the reader is in the same zone', () => {
    expect(formatMeetingTime('fr', at, 'Europe/Paris', 'Europe/Paris')).toEqual({
      meeting: '2 déc. 2026, 22:00 (Europe/Paris)',
      reader: null,
    });
  });

  it("names the reader's zone for a meeting without one", () => {
    expect(formatMeetingTime('en', at, null, 'America/Los_Angeles')).toEqual({
      meeting: 'Dec 2, 2026, 1:00 PM (America/Los_Angeles)',
      reader: null,
    });
  });
});
