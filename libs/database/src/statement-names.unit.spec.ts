import { isStalePreparedStatement, StatementNames } from './statement-names';

describe('StatementNames', () => {
  it('names a statement from its third run on, always the same name', () => {
    const names = new StatementNames();
    expect(names.nameFor('SELECT $1')).toBeUndefined();
    expect(names.nameFor('SELECT $1')).toBeUndefined();
    const name = names.nameFor('SELECT $1');
    expect(name).toMatch(/^passerelle_\d+$/);
    expect(names.nameFor('SELECT $1')).toBe(name);
  });

  it('never gives one name to two texts, and renews only named ones', () => {
    const names = new StatementNames(1);
    const a = names.nameFor('SELECT $1 AS a');
    const b = names.nameFor('SELECT $1 AS b');
    expect(a).not.toBe(b);
    const renewed = names.renew('SELECT $1 AS a');
    expect(renewed).not.toBe(a);
    expect(renewed).not.toBe(b);
    expect(names.nameFor('SELECT $1 AS a')).toBe(renewed);
    expect(names.renew('SELECT $1 AS never-named')).toBeUndefined();
  });

  it('names no more than its limit, and counts no more texts than its limit', () => {
    const names = new StatementNames(2, 3, 5);
    for (let i = 0; i < 10; i += 1) {
      names.nameFor(`SELECT ${i}, $1`);
      names.nameFor(`SELECT ${i}, $1`);
    }
    expect(names.size).toBe(3);
    expect(names.nameFor('SELECT 9, $1')).toBeUndefined();
    expect(names.nameFor('SELECT 0, $1')).toBeDefined();

    const counting = new StatementNames(2, 100, 2);
    counting.nameFor('a');
    counting.nameFor('b');
    counting.nameFor('c'); // not counted: two texts are waiting already
    expect(counting.nameFor('c')).toBeUndefined();
    expect(counting.nameFor('a')).toBeDefined();
  });

  it('tells a stale prepared statement from other errors', () => {
    const stale = Object.assign(new Error('cached plan must not change result type'), { code: '0A000' });
    expect(isStalePreparedStatement(stale)).toBe(true);
    expect(isStalePreparedStatement(Object.assign(new Error('other'), { code: '0A000' }))).toBe(false);
    expect(isStalePreparedStatement(new Error('cached plan must not change result type'))).toBe(false);
    expect(isStalePreparedStatement(undefined)).toBe(false);
  });
});
