import { buildVTimezone } from './vtimezone';

const at = (iso: string) => new Date(iso);

describe('buildVTimezone', () => {
  it("gives Paris's changes of offset from the start of the year before to the end of the meeting's", () => {
    const lines = buildVTimezone('Europe/Paris', [at('2026-12-02T09:00:00Z')]);
    expect(lines[0]).toBe('BEGIN:VTIMEZONE');
    expect(lines.filter((line) => line.startsWith('DTSTART:'))).toEqual([
      'DTSTART:20250330T020000',
      'DTSTART:20251026T030000',
      'DTSTART:20260329T020000',
      'DTSTART:20261025T030000',
    ]);
  });

  it('answers the same zone and years with the same lines, which a caller may change without harm', () => {
    const first = buildVTimezone('America/Los_Angeles', [at('2027-06-01T17:00:00Z')]);
    const copy = [...first];
    first.push('X-CHANGED-BY-A-CALLER');
    expect(buildVTimezone('America/Los_Angeles', [at('2027-01-15T17:00:00Z')])).toEqual(copy);
  });

  it('keeps zones and spans of years apart', () => {
    const paris2026 = buildVTimezone('Europe/Paris', [at('2026-12-02T09:00:00Z')]);
    const paris2031 = buildVTimezone('Europe/Paris', [at('2031-03-02T09:00:00Z')]);
    const sanDiego2026 = buildVTimezone('America/Los_Angeles', [at('2026-12-02T17:00:00Z')]);
    expect(paris2031).not.toEqual(paris2026);
    expect(paris2031.filter((line) => line.startsWith('DTSTART:'))[0]).toBe('DTSTART:20300331T020000');
    expect(sanDiego2026[1]).toBe('TZID:America/Los_Angeles');
    expect(sanDiego2026).toContain('TZOFFSETTO:-0800');
    // A span over two years reaches from the start of the year before the first to the end of the last.
    const span = buildVTimezone('Europe/Paris', [at('2026-12-31T22:00:00Z'), at('2027-01-01T02:00:00Z')]);
    expect(span.filter((line) => line.startsWith('DTSTART:'))).toHaveLength(6);
  });

  it('gives a zone without changes one STANDARD observance', () => {
    expect(buildVTimezone('Asia/Kolkata', [at('2026-12-02T09:00:00Z')])).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Asia/Kolkata',
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      'TZOFFSETFROM:+0530',
      'TZOFFSETTO:+0530',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });
});
