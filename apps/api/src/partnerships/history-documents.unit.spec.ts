import { createHash } from 'node:crypto';
import type { RecordedEvent } from '@passerelle/event-store';
import { HistoryDocumentCache } from './history-documents';
import { historyJson } from './history-json';

const event = (revision: number, type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  type,
  version: 1,
  data: { partnershipId: 'p', ...data },
  metadata: { commandId: `c${revision}` },
  streamId: 'partnership-p',
  revision,
  position: 100 + revision,
  recordedAt: new Date(Date.UTC(2024, 0, 1, 0, revision)),
  hash: `h${revision}`,
});

const stream = (length: number, name = 'Anaïs Dupré'): RecordedEvent[] =>
  Array.from({ length }, (_, i) =>
    i === 2
      ? event(i, 'AgreementSigned', { signerName: name, on: '2024-01-02' })
      : event(i, i % 2 ? 'PartnershipResumed' : 'PartnershipSuspended', { reason: 'r', on: '2024-01-01' }),
  );

/** What Express would have sent for the string answer: the bytes and the `etag` package's weak tag. */
const sent = (id: string, events: RecordedEvent[]) => {
  const body = Buffer.from(historyJson(id, events.at(-1)!.revision, events), 'utf8');
  const hash = createHash('sha1').update(body).digest('base64').substring(0, 27);
  return { body: body.toString('utf8'), etag: `W/"${body.length.toString(16)}-${hash}"` };
};

describe('HistoryDocumentCache', () => {
  it('writes the answer and ETag Express sent, and extends a document into the one written whole', () => {
    const events = stream(7);
    const written = HistoryDocumentCache.write('p', 3, events.slice(0, 4));
    expect({ body: written.body.toString('utf8'), etag: written.etag }).toEqual(
      sent('p', events.slice(0, 4)),
    );
    const extended = HistoryDocumentCache.extend('p', written, events.slice(4));
    expect(extended.revision).toBe(6);
    expect({ body: extended.body.toString('utf8'), etag: extended.etag }).toEqual(sent('p', events));
    expect(extended.body.equals(HistoryDocumentCache.write('p', 3, events).body)).toBe(true);
    // Across a revision with more digits, and a non-ASCII field already in the document.
    const long = stream(12);
    const nine = HistoryDocumentCache.write('p', 0, long.slice(0, 9));
    expect(HistoryDocumentCache.extend('p', nine, long.slice(9)).body.toString('utf8')).toBe(
      sent('p', long).body,
    );
  });

  it('serves a document only under the generation it was written under', () => {
    const cache = new HistoryDocumentCache(1 << 20);
    cache.set('p', HistoryDocumentCache.write('p', 4, stream(5)));
    expect(cache.get('p', 4)?.revision).toBe(4);
    expect(cache.get('p', 5)).toBeUndefined();
    expect(cache.get('p', 3)).toBeUndefined();
    // One written under a later generation replaces it; an older one, or an older revision, does not.
    cache.set('p', HistoryDocumentCache.write('p', 5, stream(5, '[erased]')));
    expect(cache.get('p', 4)).toBeUndefined();
    expect(cache.get('p', 5)?.body.toString('utf8')).toContain('[erased]');
    cache.set('p', HistoryDocumentCache.write('p', 4, stream(6)));
    expect(cache.get('p', 4)).toBeUndefined();
    cache.set('p', HistoryDocumentCache.write('p', 5, stream(4, '[erased]')));
    expect(cache.get('p', 5)?.revision).toBe(4);
    cache.set('p', HistoryDocumentCache.write('p', 5, stream(6, '[erased]')));
    expect(cache.get('p', 5)?.revision).toBe(5);
  });

  it('holds at most its bytes, the least recently read going first, and nothing larger than that', () => {
    const one = HistoryDocumentCache.write('a', 0, stream(5)).body.length;
    const cache = new HistoryDocumentCache(2 * one + 10);
    cache.set('a', HistoryDocumentCache.write('a', 0, stream(5)));
    cache.set('b', HistoryDocumentCache.write('b', 0, stream(5)));
    expect(cache.size).toBe(2 * one);
    cache.get('a', 0);
    cache.set('c', HistoryDocumentCache.write('c', 0, stream(5)));
    expect(cache.size).toBeLessThanOrEqual(2 * one + 10);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
    cache.set('d', HistoryDocumentCache.write('d', 0, stream(40)));
    expect(cache.get('d', 0)).toBeUndefined();
    expect(cache.size).toBe(2 * one);
  });
});
