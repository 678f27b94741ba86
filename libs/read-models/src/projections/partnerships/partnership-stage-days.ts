import { STAGES } from '@passerelle/domain';

/**
 * The business dates of the lifecycle stages, counted per day, for the pipeline over a period of every
 * partnership (decision 0022, second amendment). Kept as the counters are (partnership-counts.ts):
 * statement-level triggers on the partnerships table move them in the statement that writes the rows,
 * whoever writes them.
 *
 * `partnership_stage_days (stage, reached_on, since, n)`: the partnerships that reached `STAGES[stage]` on
 * the day `reached_on`, with `since` empty; and, for a stage after the first, those of them that reached the
 * stage before on the day `since`. A period reads the rows whose days fall in it: the stages reached within
 * it (`since` empty, `reached_on` in it), the steps begun within it (`since` in it, `reached_on` by its end)
 * and the steps completed within it (`reached_on` in it, the days between the two read from the key). Rows
 * are days or pairs of days, not partnerships: partnerships whose dates are the same count in one row. A row
 * that falls to zero is deleted, so the table holds what a recount of the rows gives, however the writes
 * were batched. Only every partnership is counted: a row per scope (sector, axis, party) multiplied the
 * table's writes by the scopes of each partnership, and a scope's pass reads its own partnerships only.
 */

/** Business dates are `YYYY-MM-DD`: the table keeps and compares them byte by byte, as the pipeline does. */
const DAY = 'text COLLATE "C"';

/** Per stage, the day it was reached; per step, the pair of days. Null items are left out. */
const dayItems = STAGES.flatMap((stage, index) => {
  const reached = `(${index}, d.${stage}, '')`;
  return index === 0 ? [reached] : [reached, `(${index}, d.${stage}, d.${STAGES[index - 1]!})`];
});

/** The rows of a statement, signed: inserted (+1), deleted (−1), updated (+1 new, −1 old, dates changed). */
const CHANGED = 'n.stage_reached_on IS DISTINCT FROM o.stage_reached_on';
const SOURCES = {
  INSERT: 'SELECT 1 AS sign, n.stage_reached_on FROM new_rows AS n',
  DELETE: 'SELECT -1 AS sign, o.stage_reached_on FROM old_rows AS o',
  UPDATE: `SELECT s.* FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
             CROSS JOIN LATERAL (VALUES (1, n.stage_reached_on), (-1, o.stage_reached_on))
               AS s(sign, stage_reached_on)
            WHERE ${CHANGED}`,
};

/**
 * One statement moves the table by a statement's rows, summed per day or pair of days: each row read once,
 * then moved or, when it comes to zero, deleted (as the counters are).
 */
function countStatement(source: string, days: string): string {
  return `WITH r AS MATERIALIZED (${source}),
    delta AS (
      SELECT c.stage, c.reached_on, c.since, sum(r.sign)::integer AS n
        FROM r
       CROSS JOIN LATERAL jsonb_to_record(r.stage_reached_on)
             AS d(${STAGES.map((stage) => `${stage} text`).join(', ')})
       CROSS JOIN LATERAL (VALUES ${dayItems.join(', ')}) AS c(stage, reached_on, since)
       WHERE c.reached_on IS NOT NULL AND c.since IS NOT NULL
       GROUP BY c.stage, c.reached_on, c.since
      HAVING sum(r.sign) <> 0
    ), counted AS (
      SELECT d.*, coalesce(t.n, 0) + d.n AS total
        FROM delta AS d
        LEFT JOIN ${days} AS t
          ON t.stage = d.stage AND t.reached_on = d.reached_on AND t.since = d.since
    ), gone AS (
      DELETE FROM ${days} AS t USING counted AS c
       WHERE c.total = 0 AND t.stage = c.stage AND t.reached_on = c.reached_on AND t.since = c.since
    )
    INSERT INTO ${days} AS t (stage, reached_on, since, n)
    SELECT stage, reached_on, since, n FROM counted WHERE total <> 0
    ON CONFLICT (stage, reached_on, since) DO UPDATE SET n = t.n + EXCLUDED.n`;
}

/** The function a generation's table comes with (dropped with it: catalog.ts). */
export const partnershipStageDaysRoutines = (tables: { partnership_stage_days: string }): string[] => [
  `${tables.partnership_stage_days}_keep`,
];

/**
 * DDL of one generation's stage days, after its partnerships table: the table, its index by the day a step
 * began, the function that keeps it (the generation's own, so its plans are kept per connection) and its
 * three triggers.
 */
export function partnershipStageDaysTables(tables: {
  partnerships: string;
  partnership_stage_days: string;
}): string[] {
  const { partnerships, partnership_stage_days: days } = tables;
  const [keep] = partnershipStageDaysRoutines(tables);
  return [
    `CREATE TABLE ${days} (
       stage smallint NOT NULL,
       reached_on ${DAY} NOT NULL,
       since ${DAY} NOT NULL,
       n integer NOT NULL,
       PRIMARY KEY (stage, reached_on, since)
     )`,
    `CREATE INDEX ${days}_since ON ${days} (stage, since, reached_on)`,
    `CREATE OR REPLACE FUNCTION ${keep}() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       IF TG_OP = 'INSERT' THEN
         IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
         ${countStatement(SOURCES.INSERT, days)};
       ELSIF TG_OP = 'DELETE' THEN
         IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
         ${countStatement(SOURCES.DELETE, days)};
       ELSE
         IF NOT EXISTS (SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE ${CHANGED}) THEN
           RETURN NULL;
         END IF;
         ${countStatement(SOURCES.UPDATE, days)};
       END IF;
       RETURN NULL;
     END
     $fn$`,
    `CREATE TRIGGER ${partnerships}_dated_insert AFTER INSERT ON ${partnerships}
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${keep}()`,
    `CREATE TRIGGER ${partnerships}_dated_update AFTER UPDATE ON ${partnerships}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${keep}()`,
    `CREATE TRIGGER ${partnerships}_dated_delete AFTER DELETE ON ${partnerships}
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${keep}()`,
  ];
}
