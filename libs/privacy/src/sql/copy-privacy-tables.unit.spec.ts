import { planPrivacyCopy } from './copy-privacy-tables';

describe('what a copy between deployments takes of the privacy tables', () => {
  it('takes every table, signed heads included, from SQL to SQL', () => {
    expect(planPrivacyCopy({ log: 'sql', database: true }, { log: 'sql', database: true })).toEqual({
      keys: true,
      signedHeads: true,
      warnings: [],
    });
  });

  it('takes the keys to an EventStoreDB deployment’s SQL database, and says why the heads stay', () => {
    const plan = planPrivacyCopy({ log: 'sql', database: true }, { log: 'esdb', database: true });
    expect(plan).toMatchObject({ keys: true, signedHeads: false });
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^signed_heads was NOT copied: .*EventStoreDB positions/),
    ]);
  });

  it.each([
    ['the target', { log: 'sql', database: true }, { log: 'esdb', database: false }, '--to-database'],
    ['the source', { log: 'esdb', database: false }, { log: 'sql', database: true }, '--from-database'],
  ] as const)(
    'copies nothing and names the tables when the SQL database of %s is not known',
    (_, from, to, option) => {
      const plan = planPrivacyCopy(from, to);
      expect(plan).toEqual({ keys: false, signedHeads: false, warnings: [expect.any(String)] });
      expect(plan.warnings[0]).toContain(
        'data_key_check, forgotten_subjects, person_keys, signed_heads were NOT copied',
      );
      expect(plan.warnings[0]).toContain(option);
      expect(plan.warnings[0]).toContain('DATABASE_URL');
    },
  );
});
