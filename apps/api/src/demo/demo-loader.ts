import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ImportReport, Importer } from '../import/importer';
import { ImportSource } from '../import/import-lines';

const DEMO_ACTOR = { sub: 'demo-loader', name: 'Demo scenario', roles: ['admin'] };

/** The demo's import files: `import/demo` at the root of the checkout (from the sources or from `dist`). */
export function demoDirectory(): string {
  const candidates = [
    resolve(__dirname, '../../../../import/demo'),
    resolve(__dirname, '../../../../../import/demo'),
    resolve(process.cwd(), 'import/demo'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'histories.jsonl')));
  if (!found) throw new Error(`The demo's import files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

export function demoSources(dir = demoDirectory()): ImportSource[] {
  return [
    { name: 'organizations.csv', format: 'csv', text: readFileSync(join(dir, 'organizations.csv'), 'utf8') },
    { name: 'histories.jsonl', format: 'jsonl', text: readFileSync(join(dir, 'histories.jsonl'), 'utf8') },
  ];
}

/**
 * Loads the demo on an empty embedded store (or when DEMO_DATA=true): the files in `import/demo`, through
 * the import, so through the same commands an officer issues.
 */
@Injectable()
export class DemoLoader {
  readonly logger = new Logger('Passerelle');

  constructor(
    private readonly importer: Importer,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async loadIfWanted(): Promise<boolean> {
    const wanted = this.config.demoData ?? this.config.embedded;
    if (!wanted) return false;
    if (this.config.demoData === undefined && (await this.store.headPosition()) > 0) return false;
    await this.load();
    return true;
  }

  async load(): Promise<ImportReport> {
    const report = await this.importer.run(demoSources(), { actor: DEMO_ACTOR });
    if (report.refused > 0) {
      const first = report.refusals[0]!;
      throw new Error(`The demo was refused at ${first.file}:${first.line} (${first.type}): ${first.detail}`);
    }
    this.logger.log(
      `Demo data loaded: ${report.accepted} commands accepted, ${report.alreadyThere} already there, ` +
        `${report.withheld.messages} e-mails withheld as history`,
    );
    return report;
  }
}
