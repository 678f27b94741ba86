import { randomBytes, randomUUID } from 'node:crypto';
import { headDigest, headDigestInSlices } from './signed-heads';

const hash = () => randomBytes(32).toString('hex');

describe('the head digest in slices', () => {
  // Ids JSON escapes, and ids whose order by UTF-16 code units is not their order by code point
  // (a surrogate pair, U+1F600, sorts before U+FF61).
  const awkward = [
    'partnership-"quoted"',
    'organization-\\back',
    'x-\u0001',
    'x-\uff61',
    'x-\u{1f600}',
    'x-é',
  ];

  it.each([1, 2, 3, 1000])('is headDigest of the same streams, %i streams a slice', async (sliceSize) => {
    const lastHashes = new Map<string, string>(
      [...awkward, ...Array.from({ length: 20 }, () => `partnership-${randomUUID()}`)].map((id) => [
        id,
        hash(),
      ]),
    );
    const sortedIds = [...lastHashes.keys()].sort();
    expect(await headDigestInSlices(sortedIds, lastHashes, sliceSize)).toBe(headDigest(lastHashes));
  });

  it('of no stream is the digest of an empty list', async () => {
    expect(await headDigestInSlices([], new Map())).toBe(headDigest(new Map()));
  });

  it('differs when one stream moves, or when the ids are not in order', async () => {
    const lastHashes = new Map(awkward.map((id) => [id, hash()]));
    const sortedIds = [...lastHashes.keys()].sort();
    const before = await headDigestInSlices(sortedIds, lastHashes, 2);
    lastHashes.set(awkward[3]!, hash());
    expect(await headDigestInSlices(sortedIds, lastHashes, 2)).not.toBe(before);
    expect(await headDigestInSlices([...sortedIds].reverse(), lastHashes, 2)).not.toBe(
      headDigest(lastHashes),
    );
  });

  it('lets other work run between slices', async () => {
    const lastHashes = new Map(Array.from({ length: 10 }, () => [`partnership-${randomUUID()}`, hash()]));
    let ranBetween = false;
    setImmediate(() => (ranBetween = true));
    await headDigestInSlices([...lastHashes.keys()].sort(), lastHashes, 1);
    expect(ranBetween).toBe(true);
  });
});
