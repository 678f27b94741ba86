import { ERASED } from '@passerelle/domain';
import { CachedPersonKeyStore } from './cached-person-key-store';
import { generateDataKey, MasterKey } from './master-key';
import { PersonalValues } from './personal-values';
import { MemoryPersonKeyStore } from './testing/memory-person-key-store';

describe('personal values kept sealed outside the log', () => {
  const master = MasterKey.fromText(generateDataKey());
  const subjectOf = (kind: 'email' | 'name', value: string) => master.subjectOf(kind, value);
  const setUp = () => {
    const keys = new CachedPersonKeyStore(new MemoryPersonKeyStore());
    return { keys, values: new PersonalValues(keys, subjectOf) };
  };

  it('seals under the person\'s own key, opens with it, and reads "[erased]" once they are forgotten', async () => {
    const { keys, values } = setUp();
    const [email, name, none] = await values.seal('email', 'Ana@Example.org', [
      'ana@example.org',
      'Ana',
      null,
    ]);
    const [other] = await values.seal('email', 'bo@example.org', ['bo@example.org']);
    expect(email).toMatch(/^pii:v1:[0-9a-f-]{36}:/);
    expect(none).toBeNull();
    // Same person (the address in any case), same key; another person, another key.
    expect(email!.split(':')[2]).toBe(name!.split(':')[2]);
    expect(other!.split(':')[2]).not.toBe(email!.split(':')[2]);

    const before = await values.opener([email!, name!, other!]);
    expect([before(email!), before(name!), before(other!)]).toEqual([
      'ana@example.org',
      'Ana',
      'bo@example.org',
    ]);

    await keys.forget(subjectOf('email', 'ana@example.org'));
    const after = await values.opener([email!, name!, other!]);
    expect([after(email!), after(name!), after(other!)]).toEqual([ERASED, ERASED, 'bo@example.org']);
    // Nothing of a forgotten person is sealed again: it is written as erased.
    expect(await values.seal('email', 'ana@example.org', ['ana@example.org', 'Ana'])).toEqual([
      ERASED,
      ERASED,
    ]);
  });

  it('leaves values that are not sealed as they are, and reads an altered or unknown one as erased', async () => {
    const { values } = setUp();
    const [sealed] = await values.seal('name', 'Claire Durand', ['Claire Durand']);
    const altered = `${sealed!.slice(0, -2)}${sealed!.endsWith('A') ? 'B' : 'A'}A`;
    const unknownKey = sealed!.replace(
      /^pii:v1:[0-9a-f-]{36}/,
      'pii:v1:00000000-0000-4000-8000-000000000000',
    );
    const open = await values.opener([sealed!, altered, unknownKey, 'written before sealing', ERASED]);
    expect([
      open(sealed!),
      open(altered),
      open(unknownKey),
      open('written before sealing'),
      open(ERASED),
    ]).toEqual(['Claire Durand', ERASED, ERASED, 'written before sealing', ERASED]);
  });
});
