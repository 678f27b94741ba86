import type { SqlClient } from '@passerelle/database';

export const ROTATION_TABLES = ['naming_keys', 'signing_key_successions'] as const;
export type RotationTable = (typeof ROTATION_TABLES)[number];

export interface RotationTableCopy {
  copied: number;
  alreadyThere: number;
  differing: number;
  skipped: number;
}

/**
 * What a rotated deployment needs besides the privacy tables, copied by copyPrivacyTables: the naming
 * keys (without them the target would name people with another key than the one that named them) and,
 * with the signed heads, the signing key successions (without them heads signed by an earlier key would
 * not verify there). Answers only the tables the source has rows in; rows the target has are kept.
 */
export async function copyRotationTables(
  source: SqlClient,
  target: SqlClient,
  options: { signedHeads: boolean },
): Promise<Partial<Record<RotationTable, RotationTableCopy>>> {
  const result: Partial<Record<RotationTable, RotationTableCopy>> = {};
  const copy = async (table: RotationTable, columns: string[], types: string[], key: string) => {
    const [present] = await source.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
      table,
    ]);
    if (!present!.found) return;
    const [{ json, rows } = { json: '[]', rows: 0 }] = await source.query<{ json: string; rows: number }>(
      `SELECT coalesce(json_agg(t), '[]')::text AS json, count(*)::integer AS rows
       FROM (SELECT ${columns.join(', ')} FROM ${table}) AS t`,
    );
    if (rows === 0) return;
    const record = columns.map((column, n) => `${column} ${types[n]}`).join(', ');
    const same = columns.map((column) => `t.${column} = r.${column}`).join(' AND ');
    const [row] = await target.query<{ copied: number; same: number }>(
      `WITH r AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(${record})),
            ins AS (INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM r
                    ON CONFLICT (${key}) DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM ins)::integer AS copied,
              (SELECT count(*) FROM r JOIN ${table} t ON ${same})::integer AS same`,
      [json],
    );
    result[table] = {
      copied: row!.copied,
      alreadyThere: row!.same,
      differing: rows - row!.copied - row!.same,
      skipped: 0,
    };
  };
  await copy(
    'naming_keys',
    ['id', 'wrapped', 'wrapped_by', 'created_at'],
    ['boolean', 'text', 'text', 'timestamptz'],
    'id',
  );
  if (options.signedHeads) {
    await copy(
      'signing_key_successions',
      [
        'previous_public_key',
        'next_public_key',
        'last_position',
        'signature_by_previous',
        'signature_by_next',
        'recorded_at',
      ],
      ['text', 'text', 'bigint', 'text', 'text', 'timestamptz'],
      'previous_public_key',
    );
  }
  return result;
}
