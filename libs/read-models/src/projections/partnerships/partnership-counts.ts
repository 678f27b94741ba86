import type { Migration } from '@passerelle/database';

/**
 * Counters of the partnerships read model, kept by statement-level triggers on its table in the same
 * statement as its rows (decision 0022, amended): whatever writes the rows — the projection, a rebuild into
 * a new generation, a scratch rebuild, a test — moves the counters with them, and a row deleted takes its
 * counts away. Two tables per generation, named by the trigger's arguments:
 *
 * - `partnership_counts (scope, kind, item, days, n)`: per scope, the partnerships in each `stage` now; per
 *   lifecycle stage, those that have `reached` it (a date); per step `1`…`4` (`STAGES[i-1]` → `STAGES[i]`),
 *   those with both dates, by the whole `days` between them (the pipeline's conversion and median without a
 *   period);
 * - `partnership_combinations (scope, combination, parties, sectors, partnerships, active)`: per scope, the
 *   partnerships with the same parties and sectors, and those not withdrawn (the matrix's first grouping).
 *
 * A scope is `''` (every partnership), `sector:<s>`, `axis:<a>` or `party:<id>`, each once per partnership
 * however often the value repeats in its row. A counter that falls to zero is deleted, so the tables hold the
 * same rows however the writes were batched (a rebuild compares them with the live ones). The lifecycle
 * stages are named here as the domain had them when this was written; a new stage needs a new function.
 */
export const PARTNERSHIP_COUNT_STAGES = [
  'proposed',
  'introduced',
  'agreement_signed',
  'project_active',
  'mou_signed',
] as const;

/** Every scope a row counts in: everyone, and each distinct sector, axis and party. */
const SCOPES_OF = `(SELECT '' AS scope
                     UNION SELECT 'sector:' || x FROM unnest(r.sectors) AS x
                     UNION SELECT 'axis:' || x FROM unnest(r.axes) AS x
                     UNION SELECT 'party:' || x FROM unnest(r.parties) AS x)`;

const stageItems = PARTNERSHIP_COUNT_STAGES.map(
  (stage) => `('reached', CASE WHEN d.${stage} IS NOT NULL THEN '${stage}' END, 0)`,
);
const stepItems = PARTNERSHIP_COUNT_STAGES.slice(1).map((to, index) => {
  const from = PARTNERSHIP_COUNT_STAGES[index]!;
  const both = `d.${from} IS NOT NULL AND d.${to} IS NOT NULL`;
  return `('days', CASE WHEN ${both} THEN '${index + 1}' END, CASE WHEN ${both} THEN d.${to}::date - d.${from}::date ELSE 0 END)`;
});

/**
 * The trigger's one function. `%1$I` is the counts table, `%2$I` the combinations table; the rows come from
 * the statement's transition tables, with a sign (an update: the new rows whose counted columns changed,
 * plus, minus the old). Contributions are summed per (parties, sectors, axes) first, so that a step taken
 * by many partnerships sharing their parties costs one row per scope.
 */
const partnershipCountsFunction = `
CREATE FUNCTION rm_partnership_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  source text;
  zero_scopes text[];
  zero_kinds text[];
  zero_items text[];
  zero_days integer[];
  zero_combinations uuid[];
BEGIN
  -- Most statements count nothing (an upsert's insert trigger when every row was there, an update that
  -- changed no counted column): they return before any statement is planned.
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    source := 'SELECT 1 AS sign, n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on FROM new_rows n';
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    source := 'SELECT -1 AS sign, o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on FROM old_rows o';
  ELSE
    IF NOT EXISTS (
      SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on)
             IS DISTINCT FROM (o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on)
    ) THEN RETURN NULL; END IF;
    source := 'SELECT s.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                 CROSS JOIN LATERAL (VALUES
                   (1, n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on),
                   (-1, o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on)
                 ) AS s(sign, stage, status, parties, sectors, axes, stage_reached_on)
                WHERE (n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on)
                      IS DISTINCT FROM (o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on)';
  END IF;

  EXECUTE format($q$
    WITH r AS (%3$s),
    items AS (
      SELECT r.parties, r.sectors, r.axes, c.kind, c.item, c.days, sum(r.sign)::integer AS n
        FROM r
       CROSS JOIN LATERAL jsonb_to_record(r.stage_reached_on)
             AS d(${PARTNERSHIP_COUNT_STAGES.map((stage) => `${stage} text`).join(', ')})
       CROSS JOIN LATERAL (VALUES ('stage', r.stage, 0),
             ${[...stageItems, ...stepItems].join(',\n             ')}) AS c(kind, item, days)
       WHERE c.item IS NOT NULL
       GROUP BY r.parties, r.sectors, r.axes, c.kind, c.item, c.days
      HAVING sum(r.sign) <> 0
    ), delta AS (
      SELECT s.scope, i.kind, i.item, i.days, sum(i.n)::integer AS n
        FROM items AS i
       CROSS JOIN LATERAL ${SCOPES_OF.replace(/\br\./g, 'i.')} AS s
       GROUP BY s.scope, i.kind, i.item, i.days
      HAVING sum(i.n) <> 0
    ), moved AS (
      INSERT INTO %1$I AS t (scope, kind, item, days, n) SELECT scope, kind, item, days, n FROM delta
      ON CONFLICT (scope, kind, item, days) DO UPDATE SET n = t.n + EXCLUDED.n
      RETURNING t.scope, t.kind, t.item, t.days, t.n
    )
    SELECT array_agg(scope), array_agg(kind), array_agg(item), array_agg(days) FROM moved WHERE n = 0
  $q$, TG_ARGV[0], TG_ARGV[1], source) INTO zero_scopes, zero_kinds, zero_items, zero_days;
  IF zero_scopes IS NOT NULL THEN
    EXECUTE format('DELETE FROM %I AS t USING unnest($1::text[], $2::text[], $3::text[], $4::integer[])
                      AS z(scope, kind, item, days)
                     WHERE t.scope = z.scope AND t.kind = z.kind AND t.item = z.item AND t.days = z.days
                       AND t.n = 0', TG_ARGV[0])
      USING zero_scopes, zero_kinds, zero_items, zero_days;
  END IF;

  EXECUTE format($q$
    WITH r AS (%3$s),
    grouped AS (
      SELECT r.parties, r.sectors, r.axes, sum(r.sign)::integer AS partnerships,
             sum(r.sign) FILTER (WHERE r.status <> 'withdrawn')::integer AS active
        FROM r
       GROUP BY r.parties, r.sectors, r.axes
    ), delta AS (
      SELECT s.scope, md5(g.parties::text || g.sectors::text)::uuid AS combination, g.parties, g.sectors,
             sum(g.partnerships)::integer AS partnerships, coalesce(sum(g.active), 0)::integer AS active
        FROM grouped AS g
       CROSS JOIN LATERAL ${SCOPES_OF.replace(/\br\./g, 'g.')} AS s
       GROUP BY s.scope, g.parties, g.sectors
      HAVING sum(g.partnerships) <> 0 OR coalesce(sum(g.active), 0) <> 0
    ), moved AS (
      INSERT INTO %2$I AS t (scope, combination, parties, sectors, partnerships, active)
      SELECT scope, combination, parties, sectors, partnerships, active FROM delta
      ON CONFLICT (scope, combination) DO UPDATE
        SET partnerships = t.partnerships + EXCLUDED.partnerships, active = t.active + EXCLUDED.active
      RETURNING t.scope, t.combination, t.partnerships
    )
    SELECT array_agg(scope), array_agg(combination) FROM moved WHERE partnerships = 0
  $q$, TG_ARGV[0], TG_ARGV[1], source) INTO zero_scopes, zero_combinations;
  IF zero_scopes IS NOT NULL THEN
    EXECUTE format('DELETE FROM %I AS t USING unnest($1::text[], $2::uuid[]) AS z(scope, combination)
                     WHERE t.scope = z.scope AND t.combination = z.combination AND t.partnerships = 0',
                   TG_ARGV[1])
      USING zero_scopes, zero_combinations;
  END IF;
  RETURN NULL;
END
$fn$`;

export const partnershipCountsMigration: Migration = {
  id: 'read-models/0003-partnership-counts',
  sql: partnershipCountsFunction,
};

/** DDL of one generation's counters and the triggers that keep them, after its partnerships table. */
export function partnershipCountsTables(tables: {
  partnerships: string;
  partnership_counts: string;
  partnership_combinations: string;
}): string[] {
  const { partnerships, partnership_counts: counts, partnership_combinations: combinations } = tables;
  const args = `'${counts}', '${combinations}'`;
  return [
    `CREATE TABLE ${counts} (
       scope text NOT NULL,
       kind text NOT NULL,
       item text NOT NULL,
       days integer NOT NULL,
       n integer NOT NULL,
       PRIMARY KEY (scope, kind, item, days)
     )`,
    `CREATE TABLE ${combinations} (
       scope text NOT NULL,
       combination uuid NOT NULL,
       parties text[] NOT NULL,
       sectors text[] NOT NULL,
       partnerships integer NOT NULL,
       active integer NOT NULL,
       PRIMARY KEY (scope, combination)
     )`,
    `CREATE TRIGGER ${partnerships}_counted_insert AFTER INSERT ON ${partnerships}
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rm_partnership_counts(${args})`,
    `CREATE TRIGGER ${partnerships}_counted_update AFTER UPDATE ON ${partnerships}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION rm_partnership_counts(${args})`,
    `CREATE TRIGGER ${partnerships}_counted_delete AFTER DELETE ON ${partnerships}
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rm_partnership_counts(${args})`,
  ];
}
