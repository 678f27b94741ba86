import { Pipeline, SIDE_STATES, STAGES } from './types';

const DAY_MS = 86_400_000;

export interface StagedPartnership {
  stage: string;
  /** The date each lifecycle stage was reached (YYYY-MM-DD), null while not reached. */
  stageReachedOn: Record<string, string | null>;
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * The pipeline of a set of partnerships, figured as `GET /api/dashboard/pipeline` figures it, for the
 * filters the API does not take (a region, an organisation).
 */
export function pipelineOf(rows: StagedPartnership[]): Pipeline {
  const stages: Record<string, number> = Object.fromEntries([...STAGES, ...SIDE_STATES].map((s) => [s, 0]));
  const reached: Record<string, number> = Object.fromEntries(STAGES.map((s) => [s, 0]));
  for (const row of rows) {
    stages[row.stage] = (stages[row.stage] ?? 0) + 1;
    for (const stage of STAGES) if (row.stageReachedOn[stage]) reached[stage]! += 1;
  }
  const conversion: Record<string, number | null> = {};
  const medianDaysBetweenStages: Record<string, number | null> = {};
  for (let index = 1; index < STAGES.length; index++) {
    const from = STAGES[index - 1]!;
    const to = STAGES[index]!;
    const step = `${from}→${to}`;
    conversion[step] = reached[from] ? Math.round((reached[to]! / reached[from]!) * 10_000) / 10_000 : null;
    const days = rows
      .map((row) => [row.stageReachedOn[from], row.stageReachedOn[to]] as const)
      .filter((pair): pair is readonly [string, string] => !!pair[0] && !!pair[1])
      .map(([a, b]) => Math.round((Date.parse(b) - Date.parse(a)) / DAY_MS));
    medianDaysBetweenStages[step] = median(days);
  }
  return { total: rows.length, stages, reached, conversion, medianDaysBetweenStages };
}
