/** How many times a statement runs unnamed before it is prepared. */
const PREPARE_AFTER = 3;
/** Named statements at most, per client: each is kept by every connection that ran it. */
const MAX_NAMED = 256;
/** Statements counted at most while they wait to be named (texts built on the fly never grow it further). */
const MAX_COUNTED = 4096;

/**
 * Which statements a PostgreSQL client runs as named prepared statements. PostgreSQL parses, analyses and
 * plans an unnamed statement at every call, more than a quarter of its CPU under the commands' load
 * (docs/performance.md §30); a named one is parsed once per connection, and its plan kept by PostgreSQL's
 * plan cache. A statement is named once it has run PREPARE_AFTER times (the hot statements, not the
 * one-off ones) and while fewer than MAX_NAMED are named; each text keeps its name, and a name is never
 * given to another text (node-postgres refuses that per connection).
 *
 * A named statement that reads `*` from a view fails with "cached plan must not change result type" once
 * the view's columns change (a rebuild swapping in a new generation of a projection): `renew` then gives
 * its text a new name, which every connection prepares afresh.
 */
export class StatementNames {
  private readonly named = new Map<string, string>();
  private readonly counted = new Map<string, number>();
  private next = 0;

  constructor(
    private readonly prepareAfter = PREPARE_AFTER,
    private readonly maxNamed = MAX_NAMED,
    private readonly maxCounted = MAX_COUNTED,
  ) {}

  /** The name to run `sql` under, or undefined to run it unnamed. */
  nameFor(sql: string): string | undefined {
    const name = this.named.get(sql);
    if (name !== undefined || this.named.size >= this.maxNamed) return name;
    const runs = (this.counted.get(sql) ?? 0) + 1;
    if (runs < this.prepareAfter) {
      if (this.counted.has(sql) || this.counted.size < this.maxCounted) this.counted.set(sql, runs);
      return undefined;
    }
    this.counted.delete(sql);
    return this.rename(sql);
  }

  /** A new name for a named statement whose prepared form no longer fits (see above). */
  renew(sql: string): string | undefined {
    return this.named.has(sql) ? this.rename(sql) : undefined;
  }

  /** How many texts are named now. */
  get size(): number {
    return this.named.size;
  }

  private rename(sql: string): string {
    const name = `passerelle_${this.next}`;
    this.next += 1;
    this.named.set(sql, name);
    return name;
  }
}

/** PostgreSQL's answer to a prepared statement whose result columns changed since it was prepared. */
export function isStalePreparedStatement(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '0A000' &&
    /cached plan must not change result type/.test(String((error as { message?: unknown }).message))
  );
}
