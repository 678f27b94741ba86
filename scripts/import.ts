/**
 * Imports organisations (CSV) and partnership histories (JSON Lines) through the same command handlers
 * and rules as the HTTP API. Idempotent: a second run appends nothing. On the embedded store (one process
 * per data directory) stop the service first; on PostgreSQL it may keep running.
 *
 *   npm run import -- [--dry-run] [--json] [--concurrency=8] <file.csv|file.jsonl>…
 *
 * Exit status: 0 when every line was accepted or already there, 1 when some were refused, 2 on bad usage.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@passerelle/config';
import { SingleBar, Presets } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { compileWithDecoratorMetadata } from '../bench/lib/decorator-metadata';
import type { ImportReport } from '../apps/api/src/import/importer';
import type { ImportSource } from '../apps/api/src/import/import-lines';

const USAGE =
  'Usage: npm run import -- [--dry-run] [--json] [--concurrency=8] <organisations.csv|histories.jsonl>…';
/** Below this many lines the run is over before a bar would help. */
const BAR_FROM_LINES = 200;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      concurrency: { type: 'string', default: '8' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    console.error(`--concurrency must be a whole number from 1 to 64\n${USAGE}`);
    return 2;
  }
  // Nest reads constructor parameters from decorator metadata, which tsx does not emit: compile the
  // application's sources with SWC, as the tests and the benchmarks do.
  compileWithDecoratorMetadata();
  const { AppModule } = await import('../apps/api/src/app.module');
  const { Importer } = await import('../apps/api/src/import/importer');
  const { formatOf } = await import('../apps/api/src/import/import-lines');
  const sources: ImportSource[] = [];
  for (const path of positionals) {
    const format = formatOf(path);
    if (!format) {
      console.error(
        `${path}: the file name must end in .csv (organisations) or .jsonl (histories)\n${USAGE}`,
      );
      return 2;
    }
    sources.push({ name: basename(path), format, text: readFileSync(path, 'utf8') });
  }

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  // The import writes commands only: the service's projections and e-mail dispatcher take the events
  // from the log when they next run (at once on PostgreSQL, at the next start on the embedded store).
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({
      ...config,
      logLevel: process.env.LOG_LEVEL ? config.logLevel : 'warn',
      inProcess: { projections: false, notifications: false },
    }),
    { logger: false, abortOnError: false },
  );
  let report: ImportReport;
  const bar = new SingleBar(
    {
      format: ' import |{bar}| {value}/{total} lines | {rate} lines/s | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let barStarted = false;
  const started = Date.now();
  try {
    report = await app.get(Importer).run(sources, {
      dryRun: values['dry-run'] ?? false,
      concurrency,
      onProgress: (done, total) => {
        if (total < BAR_FROM_LINES || !process.stderr.isTTY) return;
        if (!barStarted) {
          bar.start(total, 0, { rate: '0' });
          barStarted = true;
        }
        if (done % 50 === 0 || done === total) {
          const seconds = (Date.now() - started) / 1000;
          bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toString() : '0' });
        }
      },
    });
  } finally {
    if (barStarted) bar.stop();
    await app.close();
  }

  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    for (const refusal of report.refusals) {
      const what = refusal.command ? ` ${refusal.command}` : '';
      const key = refusal.key ? ` [${refusal.key}]` : '';
      console.log(`${refusal.file}:${refusal.line}${what}${key}: ${refusal.type} — ${refusal.detail}`);
    }
    console.log(summary(report));
  }
  return report.refused > 0 ? 1 : 0;
}

export function summary(report: ImportReport): string {
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(report.events / seconds) : report.events;
  return [
    report.dryRun ? 'Dry run: nothing was written.' : 'Import done.',
    `  lines read        ${report.read}`,
    `  accepted          ${report.accepted}${report.dryRun ? ' (would be)' : ''}`,
    `  already there     ${report.alreadyThere}`,
    `  refused           ${report.refused}`,
    `  e-mails withheld as history: ${report.withheld.messages} messages, ${report.withheld.reminders} reminders already past`,
    `  events ${report.dryRun ? 'that would be ' : ''}appended: ${report.events} in ${seconds.toFixed(1)} s (${rate} events/s)`,
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(3);
  },
);
