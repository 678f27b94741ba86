import { nameBasedUuid } from './name-based-uuid';

const NAMESPACE = Buffer.from('6f1c2a8e9b7d4e2f8a3c5d7e9f0b1a2c', 'hex');
/** The id the first event of command `c-1` has had since the first release: stored ids must not change. */
const PINNED = '238c0388-c091-5480-b33c-e5e66539a93e';

describe('name-based UUIDs', () => {
  it('are version 5, RFC variant, and the same for the same namespace and parts', () => {
    const id = nameBasedUuid(NAMESPACE, 'event', 'c-1', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid(NAMESPACE, 'event', 'c-1', 0)).toBe(id);
  });

  it('differ by namespace and by parts, and keep the ids already in logs', () => {
    const other = Buffer.from('3b9f6c1e2d4a4f8e9c7b5a6d8e0f1a2b', 'hex');
    expect(nameBasedUuid(other, 'event', 'c-1', 0)).not.toBe(nameBasedUuid(NAMESPACE, 'event', 'c-1', 0));
    expect(nameBasedUuid(NAMESPACE, 'event', 'c-1', 1)).not.toBe(nameBasedUuid(NAMESPACE, 'event', 'c-1', 0));
    // Parts are joined with NUL: ('a', 'bc') and ('ab', 'c') are different names.
    expect(nameBasedUuid(NAMESPACE, 'a', 'bc')).not.toBe(nameBasedUuid(NAMESPACE, 'ab', 'c'));
    expect(nameBasedUuid(NAMESPACE, 'event', 'c-1', 0)).toBe(PINNED);
  });
});
