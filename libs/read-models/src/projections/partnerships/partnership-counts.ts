import { STAGES } from '@passerelle/domain';

/**
 * Counters of the partnerships read model, kept by statement-level triggers on its table in the same
 * statement as its rows (decision 0022, amended): whatever writes the rows — the projection, a rebuild into
 * a new generation, a scratch rebuild, a test — moves the counters with them, and a row deleted takes its
 * counts away. Two tables per generation:
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
 * same rows however the writes were batched (a rebuild compares them with the live ones). The stages are
 * the domain's `STAGES` when the generation was created (a change of them is a new projection version).
 */

/** Every scope a row counts in: everyone, and each distinct sector, axis and party. */
const SCOPES_OF = `(SELECT '' AS scope
                     UNION SELECT 'sector:' || x FROM unnest(r.sectors) AS x
                     UNION SELECT 'axis:' || x FROM unnest(r.axes) AS x
                     UNION SELECT 'party:' || x FROM unnest(r.parties) AS x)`;

const stageItems = STAGES.map(
  (stage) => `('reached', CASE WHEN d.${stage} IS NOT NULL THEN '${stage}' END, 0)`,
);
const stepItems = STAGES.slice(1).map((to, index) => {
  const from = STAGES[index]!;
  const both = `d.${from} IS NOT NULL AND d.${to} IS NOT NULL`;
  return `('days', CASE WHEN ${both} THEN '${index + 1}' END, CASE WHEN ${both} THEN d.${to}::date - d.${from}::date ELSE 0 END)`;
});

/** The rows of a statement, signed: inserted (+1), deleted (−1), updated (+1 new, −1 old, counted columns changed). */
const CHANGED = `(n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on)
             IS DISTINCT FROM (o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on)`;
const SOURCES = {
  INSERT:
    'SELECT 1 AS sign, n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on FROM new_rows AS n',
  DELETE:
    'SELECT -1 AS sign, o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on FROM old_rows AS o',
  UPDATE: `SELECT s.* FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
             CROSS JOIN LATERAL (VALUES
               (1, n.stage, n.status, n.parties, n.sectors, n.axes, n.stage_reached_on),
               (-1, o.stage, o.status, o.parties, o.sectors, o.axes, o.stage_reached_on)
             ) AS s(sign, stage, status, parties, sectors, axes, stage_reached_on)
            WHERE ${CHANGED}`,
};

/**
 * One statement moves both tables' counters by a statement's rows. Contributions are summed per (parties,
 * sectors, axes) first, so that a step taken by many partnerships sharing their parties costs one row per
 * scope. Each counter is read once, then either moved or, when it comes to zero, deleted: the two sets of
 * keys are disjoint, as one statement's modifications must be. One writer per generation (the projection's
 * lease and its checkpoint row) keeps what was read current.
 */
function countStatement(source: string, counts: string, combinations: string): string {
  const scopesOf = (alias: string) => SCOPES_OF.replace(/\br\./g, `${alias}.`);
  return `WITH r AS MATERIALIZED (${source}),
    items AS (
      SELECT r.parties, r.sectors, r.axes, c.kind, c.item, c.days, sum(r.sign)::integer AS n
        FROM r
       CROSS JOIN LATERAL jsonb_to_record(r.stage_reached_on)
             AS d(${STAGES.map((stage) => `${stage} text`).join(', ')})
       CROSS JOIN LATERAL (VALUES ('stage', r.stage, 0),
             ${[...stageItems, ...stepItems].join(',\n             ')}) AS c(kind, item, days)
       WHERE c.item IS NOT NULL
       GROUP BY r.parties, r.sectors, r.axes, c.kind, c.item, c.days
      HAVING sum(r.sign) <> 0
    ), delta AS (
      SELECT s.scope, i.kind, i.item, i.days, sum(i.n)::integer AS n
        FROM items AS i
       CROSS JOIN LATERAL ${scopesOf('i')} AS s
       GROUP BY s.scope, i.kind, i.item, i.days
      HAVING sum(i.n) <> 0
    ), counted AS (
      SELECT d.*, coalesce(t.n, 0) + d.n AS total
        FROM delta AS d
        LEFT JOIN ${counts} AS t ON t.scope = d.scope AND t.kind = d.kind AND t.item = d.item AND t.days = d.days
    ), counts_gone AS (
      DELETE FROM ${counts} AS t USING counted AS c
       WHERE c.total = 0 AND t.scope = c.scope AND t.kind = c.kind AND t.item = c.item AND t.days = c.days
    ), counts_moved AS (
      INSERT INTO ${counts} AS t (scope, kind, item, days, n)
      SELECT scope, kind, item, days, n FROM counted WHERE total <> 0
      ON CONFLICT (scope, kind, item, days) DO UPDATE SET n = t.n + EXCLUDED.n
    ), grouped AS (
      SELECT r.parties, r.sectors, r.axes, sum(r.sign)::integer AS partnerships,
             coalesce(sum(r.sign) FILTER (WHERE r.status <> 'withdrawn'), 0)::integer AS active
        FROM r
       GROUP BY r.parties, r.sectors, r.axes
      HAVING sum(r.sign) <> 0 OR sum(r.sign) FILTER (WHERE r.status <> 'withdrawn') <> 0
    ), combination_delta AS (
      SELECT s.scope, md5(g.parties::text || g.sectors::text)::uuid AS combination, g.parties, g.sectors,
             sum(g.partnerships)::integer AS partnerships, sum(g.active)::integer AS active
        FROM grouped AS g
       CROSS JOIN LATERAL ${scopesOf('g')} AS s
       GROUP BY s.scope, g.parties, g.sectors
      HAVING sum(g.partnerships) <> 0 OR sum(g.active) <> 0
    ), combined AS (
      SELECT d.*, coalesce(t.partnerships, 0) + d.partnerships AS total
        FROM combination_delta AS d
        LEFT JOIN ${combinations} AS t ON t.scope = d.scope AND t.combination = d.combination
    ), combinations_gone AS (
      DELETE FROM ${combinations} AS t USING combined AS c
       WHERE c.total = 0 AND t.scope = c.scope AND t.combination = c.combination
    )
    INSERT INTO ${combinations} AS t (scope, combination, parties, sectors, partnerships, active)
    SELECT scope, combination, parties, sectors, partnerships, active FROM combined WHERE total <> 0
    ON CONFLICT (scope, combination) DO UPDATE
      SET partnerships = t.partnerships + EXCLUDED.partnerships, active = t.active + EXCLUDED.active`;
}

/** The functions a generation's tables come with (dropped with them: catalog.ts). */
export const partnershipCountsRoutines = (tables: { partnership_counts: string }): string[] => [
  `${tables.partnership_counts}_keep`,
];

/**
 * DDL of one generation's counters, after its partnerships table: the two tables, the function that keeps
 * them and its three triggers. The function is the generation's own, its statements naming its tables, so
 * that their plans are prepared once per connection (a statement built at each firing was planned at each
 * firing, which cost a small batch more than its own rows).
 */
export function partnershipCountsTables(tables: {
  partnerships: string;
  partnership_counts: string;
  partnership_combinations: string;
}): string[] {
  const { partnerships, partnership_counts: counts, partnership_combinations: combinations } = tables;
  const [keep] = partnershipCountsRoutines(tables);
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
    // Most statements count nothing (an upsert's insert trigger when every row was there, an update that
    // changed no counted column): they return after one look at the transition table.
    `CREATE OR REPLACE FUNCTION ${keep}() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       IF TG_OP = 'INSERT' THEN
         IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
         ${countStatement(SOURCES.INSERT, counts, combinations)};
       ELSIF TG_OP = 'DELETE' THEN
         IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
         ${countStatement(SOURCES.DELETE, counts, combinations)};
       ELSE
         IF NOT EXISTS (SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE ${CHANGED}) THEN
           RETURN NULL;
         END IF;
         ${countStatement(SOURCES.UPDATE, counts, combinations)};
       END IF;
       RETURN NULL;
     END
     $fn$`,
    `CREATE TRIGGER ${partnerships}_counted_insert AFTER INSERT ON ${partnerships}
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${keep}()`,
    `CREATE TRIGGER ${partnerships}_counted_update AFTER UPDATE ON ${partnerships}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${keep}()`,
    `CREATE TRIGGER ${partnerships}_counted_delete AFTER DELETE ON ${partnerships}
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${keep}()`,
  ];
}
