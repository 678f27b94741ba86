import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Summary } from './stats';

/** One line of results: a figure of ours and, beside it, the baseline measured in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  p50_ms: number | null;
  p99_ms: number | null;
  baseline: string | null;
  baseline_value: number | null;
  /** value / baseline_value. */
  ratio: number | null;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  totalMemGb: number;
  node: string;
  platform: string;
  postgres: string;
  date: string;
}

export function machine(postgres: string): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    postgres,
    date: new Date().toISOString(),
  };
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** A throughput figure of ours against a baseline's. */
export function compared(
  name: string,
  unit: string,
  ours: Summary,
  baselineName: string,
  baseline: Summary,
): Figure {
  return {
    name,
    value: round(ours.rate, 0),
    unit,
    p50_ms: round(ours.p50, 2),
    p99_ms: round(ours.p99, 2),
    baseline: baselineName,
    baseline_value: round(baseline.rate, 0),
    ratio: round(ours.rate / baseline.rate, 2),
  };
}

/** A figure with no baseline (a latency, a delivery rate). */
export function alone(
  name: string,
  value: number,
  unit: string,
  p50: number | null,
  p99: number | null,
): Figure {
  return {
    name,
    value: round(value, unit === 'ms' ? 2 : 0),
    unit,
    p50_ms: p50 === null ? null : round(p50, 2),
    p99_ms: p99 === null ? null : round(p99, 2),
    baseline: null,
    baseline_value: null,
    ratio: null,
  };
}

const format = (value: number | null, digits = 0): string =>
  value === null || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function table(figures: readonly Figure[]): string {
  const header = ['figure', 'value', 'unit', 'p50 ms', 'p99 ms', 'baseline', 'baseline value', 'ratio'];
  const digits = (f: Figure) => (f.unit === 'ms' ? 1 : f.unit.includes('CPU') ? 3 : 0);
  const rows = figures.map((f) => [
    f.name,
    format(f.value, digits(f)),
    f.unit,
    format(f.p50_ms, 2),
    format(f.p99_ms, 2),
    f.baseline ?? '—',
    format(f.baseline_value, digits(f)),
    f.ratio === null ? '—' : `${format(f.ratio, 2)}×`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column === 0 || column === 2 || column === 5 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width, column) => (column === 0 || column === 2 || column === 5 ? ` ${'-'.repeat(width)} ` : ` ${'-'.repeat(width - 1)}: `)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

export function writeResults(path: string, result: { machine: Machine; figures: Figure[] }): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}
