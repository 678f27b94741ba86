import type { SqlExecutor } from '@passerelle/database';

export interface Page<Item> {
  items: Item[];
  total: number;
  limit: number;
  offset: number;
  /** Opaque: pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;

export const clampLimit = (limit: number | undefined, max = MAX_LIMIT): number =>
  Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), max);

/** `q` as a literal substring in ILIKE. */
export const likePattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const encodeCursor = (value: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
}

export function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('The cursor is not one this API handed out');
  }
  if (!check(value)) throw new InvalidCursorError('The cursor is not one this API handed out');
  return value;
}

/** A tiny WHERE builder: numbered parameters, clauses joined with AND. */
export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** Which partnerships a list or a dashboard covers: in a sector, along an axis, with a party, with a party from a region. */
export interface PartnershipScope {
  sector?: string;
  axis?: string;
  organizationId?: string;
  /** Matched against the parties' registered regions, ignoring case and surrounding spaces. */
  region?: string;
}

/** Adds the scope's conditions on `rm_partnerships` (its `parties`, `sectors`, `axes`) to `where`. */
export function whereInScope(where: Where, scope: PartnershipScope): Where {
  if (scope.sector) where.add(`sectors @> ARRAY[${where.param(scope.sector)}::text]`);
  if (scope.axis) where.add(`axes @> ARRAY[${where.param(scope.axis)}::text]`);
  if (scope.organizationId) where.add(`parties @> ARRAY[${where.param(scope.organizationId)}::text]`);
  const region = scope.region?.trim();
  if (region) {
    where.add(
      `EXISTS (SELECT 1 FROM rm_organizations AS o
         WHERE o.id::text = ANY(parties) AND lower(o.region) = lower(${where.param(region)}))`,
    );
  }
  return where;
}

export interface OrganizationName {
  id: string;
  name: string;
  kind: string;
  country: string;
}

/** Names of organisations for display (an unknown id is left out). */
export async function organizationNames(
  db: SqlExecutor,
  ids: Iterable<string>,
): Promise<Map<string, OrganizationName>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.query<OrganizationName>(
    'SELECT id, name, kind, country FROM rm_organizations WHERE id = ANY($1::uuid[])',
    [unique],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
