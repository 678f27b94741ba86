import { organizationNameKey } from '@passerelle/domain';
import { CsvError, parseCsv } from './csv';
import { ImportCommandName, isImportCommand, Target } from './import-commands';

/** A file to import: organisations as CSV, partnership histories (or any command) as JSON Lines. */
export interface ImportSource {
  name: string;
  format: 'csv' | 'jsonl';
  text: string;
}

/** One command of a file, before keys are resolved and the body validated. */
export interface ImportLine {
  file: string;
  line: number;
  /** Stable key: the command's id derives from it, so a second run recognises the line. */
  key: string;
  command: ImportCommandName;
  targets: Partial<Record<Target, string>>;
  body: Record<string, unknown>;
}

/** A line that cannot even be read as a command. */
export interface UnreadableLine {
  file: string;
  line: number;
  key?: string;
  type: string;
  detail: string;
}

export const formatOf = (fileName: string): ImportSource['format'] | undefined =>
  /\.csv$/i.test(fileName) ? 'csv' : /\.(jsonl|ndjson)$/i.test(fileName) ? 'jsonl' : undefined;

const KEY = /^[\x21-\x7e]{1,200}$/;
const TARGETS: readonly Target[] = ['organization', 'partnership', 'meeting', 'agreement', 'project', 'mou'];
const LINE_FIELDS = new Set(['key', 'command', 'body', ...TARGETS]);

export function readSource(source: ImportSource): (ImportLine | UnreadableLine)[] {
  return source.format === 'csv' ? readOrganizationsCsv(source) : readJsonLines(source);
}

export const isUnreadable = (line: ImportLine | UnreadableLine): line is UnreadableLine => 'type' in line;

function unreadable(file: string, line: number, detail: string, key?: string): UnreadableLine {
  return { file, line, type: 'import.unreadable_line', detail, ...(key ? { key } : {}) };
}

/**
 * JSON Lines: one object per line, `{ key, command, partnership?, meeting?, agreement?, project?, mou?,
 * organization?, body }`. Blank lines and lines starting with `#` are skipped.
 */
function readJsonLines({ name, text }: ImportSource): (ImportLine | UnreadableLine)[] {
  const out: (ImportLine | UnreadableLine)[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      out.push(unreadable(name, line, `not valid JSON: ${(error as Error).message}`));
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      out.push(unreadable(name, line, 'a line must be a JSON object'));
      return;
    }
    const record = value as Record<string, unknown>;
    const key = typeof record.key === 'string' ? record.key : undefined;
    if (!key || !KEY.test(key)) {
      out.push(unreadable(name, line, 'key must be 1 to 200 visible ASCII characters'));
      return;
    }
    const unknown = Object.keys(record).filter((field) => !LINE_FIELDS.has(field));
    if (unknown.length > 0) {
      out.push(unreadable(name, line, `unknown field ${unknown.join(', ')}`, key));
      return;
    }
    if (!isImportCommand(record.command)) {
      out.push(unreadable(name, line, `unknown command ${JSON.stringify(record.command)}`, key));
      return;
    }
    const body = record.body ?? {};
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      out.push(unreadable(name, line, 'body must be a JSON object', key));
      return;
    }
    const targets: Partial<Record<Target, string>> = {};
    for (const target of TARGETS) {
      const given = record[target];
      if (given === undefined) continue;
      if (typeof given !== 'string' || !KEY.test(given)) {
        out.push(unreadable(name, line, `${target} must be an id or a key`, key));
        return;
      }
      targets[target] = given;
    }
    out.push({
      file: name,
      line,
      key,
      command: record.command,
      targets,
      body: body as Record<string, unknown>,
    });
  });
  return out;
}

const ORGANIZATION_COLUMNS = ['key', 'name', 'kind', 'country', 'region', 'sectors', 'website'];
const CONTACT_COLUMN = /^contact(\d*)_(name|email|role|language)$/;

/**
 * Organisations as CSV, with a header: `name,kind,country,region,sectors,website` and per contact
 * `contact_name,contact_email,contact_role,contact_language` (then `contact2_…`, `contact3_…`); `key`
 * optional (default: country and name); sectors separated by `;`. Empty cells are absent fields.
 */
function readOrganizationsCsv({ name, text }: ImportSource): (ImportLine | UnreadableLine)[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) return [unreadable(name, error.line, error.message)];
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) return [];
  const columns = header.fields.map((column) => column.trim());
  const unknown = columns.filter(
    (column) => !ORGANIZATION_COLUMNS.includes(column) && !CONTACT_COLUMN.test(column),
  );
  const missing = ['name', 'kind', 'country', 'region', 'sectors'].filter(
    (column) => !columns.includes(column),
  );
  if (unknown.length > 0 || missing.length > 0) {
    const problems = [
      ...(unknown.length ? [`unknown column ${unknown.join(', ')}`] : []),
      ...(missing.length ? [`missing column ${missing.join(', ')}`] : []),
    ];
    return [unreadable(name, header.line, problems.join('; '))];
  }
  return rows.map((row): ImportLine | UnreadableLine => {
    if (row.fields.length !== columns.length) {
      return unreadable(name, row.line, `${row.fields.length} fields where the header has ${columns.length}`);
    }
    const cell = (column: string): string | undefined => {
      const index = columns.indexOf(column);
      const value = index >= 0 ? row.fields[index]!.trim() : '';
      return value === '' ? undefined : value;
    };
    const contacts = new Map<string, Record<string, string>>();
    columns.forEach((column, index) => {
      const match = CONTACT_COLUMN.exec(column);
      const value = row.fields[index]!.trim();
      if (!match || value === '') return;
      const contact = contacts.get(match[1]!) ?? {};
      contact[match[2]!] = value;
      contacts.set(match[1]!, contact);
    });
    const body: Record<string, unknown> = {
      name: cell('name'),
      kind: cell('kind'),
      country: cell('country'),
      region: cell('region'),
      sectors: (cell('sectors') ?? '')
        .split(';')
        .map((sector) => sector.trim())
        .filter(Boolean),
      ...(cell('website') ? { website: cell('website') } : {}),
      contacts: [...contacts.entries()]
        .sort(([a], [b]) => Number(a || 1) - Number(b || 1))
        .map(([, contact]) => contact),
    };
    const key = cell('key') ?? organizationNameKey(cell('country') ?? '', cell('name') ?? '');
    return {
      file: name,
      line: row.line,
      key: `organization:${key}`,
      command: 'register-organization',
      targets: { organization: key },
      body,
    };
  });
}
