import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DemoLoader } from '../apps/api/src/demo/demo-loader';
import { TestApp } from './support/test-app';

/**
 * The OpenAPI document against the API itself: the document served is the one committed (which the
 * dashboard's types are generated from), and what the routes answer on the demo data, successes and
 * problems alike, is what the document says they answer.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
}

interface Operation {
  summary?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

type Document = {
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};

/**
 * The mismatches between a value and a schema, for the keywords the document uses. Stricter than JSON
 * Schema in one way: a property the schema does not list is a mismatch unless `additionalProperties`
 * allows it, so that the generated types miss nothing the API sends.
 */
function mismatches(document: Document, schema: Schema, value: unknown, at = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return mismatches(document, document.components.schemas[name]!, value, at);
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => mismatches(document, part, value, at));
    // Each part lists only its own properties: a property is extra only if no part names it.
    const named = schema.allOf.flatMap((part) => Object.keys(resolve(document, part).properties ?? {}));
    return parts
      .flat()
      .filter((problem) => !named.some((key) => problem === `${at}.${key}: not in the schema`));
  }
  if (value === null) return schema.nullable ? [] : [`${at}: null`];
  const wrong = (what: string) => [`${at}: ${what} (${JSON.stringify(value)?.slice(0, 80)})`];
  if (schema.enum && !schema.enum.includes(value)) return wrong(`not one of ${schema.enum.join(', ')}`);
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return wrong('not a string');
      if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format]!.test(value))
        return wrong(`not a ${schema.format}`);
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : wrong('not an integer');
    case 'number':
      return typeof value === 'number' ? [] : wrong('not a number');
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('not a boolean');
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => mismatches(document, schema.items!, item, `${at}[${i}]`))
        : wrong('not an array');
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return wrong('not an object');
      const record = value as Record<string, unknown>;
      const found: string[] = [];
      for (const key of schema.required ?? []) if (!(key in record)) found.push(`${at}.${key}: missing`);
      for (const [key, item] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property) found.push(...mismatches(document, property, item, `${at}.${key}`));
        else if (typeof schema.additionalProperties === 'object')
          found.push(...mismatches(document, schema.additionalProperties, item, `${at}.${key}`));
        else if (schema.additionalProperties !== true) found.push(`${at}.${key}: not in the schema`);
      }
      return found;
    }
    default:
      return [];
  }
}

const resolve = (document: Document, schema: Schema): Schema =>
  schema.$ref ? document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]! : schema;

/** The schema the document gives for a route's answer with this status. */
function answerSchema(document: Document, method: string, path: string, status: number): Schema {
  const operation = document.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} does not document ${status}`);
  const content = response.content?.['application/json'] ?? response.content?.['application/problem+json'];
  if (!content) throw new Error(`${method.toUpperCase()} ${path} ${status} has no schema`);
  return content.schema;
}

describe('the OpenAPI contract', () => {
  let ctx: TestApp;
  let document: Document;
  let head: number;

  beforeAll(async () => {
    ctx = await TestApp.start();
    await ctx.app.get(DemoLoader).load();
    head = await ctx.store.headPosition();
    document = (await ctx.http().get('/api/docs/openapi.json').expect(200)).body as Document;
  });
  afterAll(() => ctx?.close());

  it('serves the document committed in docs/openapi.json', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../docs/openapi.json'), 'utf8'));
    expect(document).toEqual(committed);
  });

  it('gives every operation a summary, a success, problem+json errors and its security', () => {
    const publicRoutes: string[] = [];
    expect(document.servers?.length).toBeGreaterThan(0);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect([name, typeof operation.summary]).toEqual([name, 'string']);
        const statuses = Object.keys(operation.responses).map(Number);
        expect([name, statuses.some((status) => status >= 200 && status < 300)]).toEqual([name, true]);
        for (const status of statuses.filter((s) => s >= 400)) {
          expect([name, status, operation.responses[status]!.content]).toEqual([
            name,
            status,
            { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
          ]);
        }
        if (operation.security?.length === 0) publicRoutes.push(name);
        else expect([name, operation.security]).toEqual([name, [{ bearer: [] }]]);
      }
    }
    expect(publicRoutes.sort()).toEqual([
      'GET /api/dev',
      'GET /health',
      'GET /health/ready',
      'GET /metrics',
      'POST /api/dev/token',
    ]);
  });

  it('tells an answer that strays from its schema', () => {
    const result = { $ref: '#/components/schemas/CommandResult' };
    expect(mismatches(document, result, { id: randomUUID(), revision: 0, position: 1 })).toEqual([]);
    expect(mismatches(document, result, { id: 'x', revision: 0.5, extra: true })).toEqual([
      '$.position: missing',
      '$.id: not a uuid ("x")',
      '$.revision: not an integer (0.5)',
      '$.extra: not in the schema',
    ]);
    expect(mismatches(document, { $ref: '#/components/schemas/Stage' }, null)).toEqual(['$: null']);
  });

  it('answers reads on the demo data as the document says', async () => {
    const read = async (path: string, url: string, role: 'officer' | 'auditor' = 'officer') => {
      const separator = url.includes('?') ? '&' : '?';
      const response = await ctx.as(role).get(`${url}${separator}minPosition=${head}`).expect(200);
      expect([url, mismatches(document, answerSchema(document, 'get', path, 200), response.body)]).toEqual([
        url,
        [],
      ]);
      return response.body;
    };
    const organizations = await read('/api/organizations', '/api/organizations?limit=200');
    expect(organizations.items.length).toBeGreaterThan(3);
    for (const { id } of organizations.items.slice(0, 5)) {
      await read('/api/organizations/{id}', `/api/organizations/${id}`);
    }
    const partnerships = await read('/api/partnerships', '/api/partnerships?limit=200');
    expect(partnerships.items.length).toBeGreaterThan(1);
    for (const { id } of partnerships.items) {
      await read('/api/partnerships/{id}', `/api/partnerships/${id}`);
      await read('/api/partnerships/{id}/state', `/api/partnerships/${id}/state`);
      await read('/api/partnerships/{id}/state', `/api/partnerships/${id}/state?asOf=0`);
      await read('/api/partnerships/{id}/history', `/api/partnerships/${id}/history`, 'auditor');
    }
    await read('/api/dashboard/pipeline', '/api/dashboard/pipeline');
    await read('/api/dashboard/pipeline', '/api/dashboard/pipeline?from=2016-01-01&to=2020-12-31');
    await read('/api/dashboard/matrix', '/api/dashboard/matrix');
    await read('/api/dashboard/activity', '/api/dashboard/activity?limit=200');
    await read('/api/dashboard/upcoming', '/api/dashboard/upcoming');
  });

  it('answers commands as the document says', async () => {
    const { id, result, us } = await ctx.newPartnership();
    expect(mismatches(document, answerSchema(document, 'post', '/api/partnerships', 201), result)).toEqual(
      [],
    );
    const meeting = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: '2016-02-01T09:00:00Z',
        attendees: [us.contacts[0]!.email],
      })
      .expect(201);
    expect(
      mismatches(
        document,
        answerSchema(document, 'post', '/api/partnerships/{id}/meetings', 201),
        meeting.body,
      ),
    ).toEqual([]);
  });

  it('documents the problems the routes really answer with, in their shape', async () => {
    const { id } = await ctx.newPartnership();
    await ctx.as('officer').post(`/api/partnerships/${id}/withdrawal`, { reason: 'test' }).expect(200);
    const cases: [string, string, () => Promise<{ status: number; body: unknown }>][] = [
      ['get', '/api/partnerships', () => ctx.http().get('/api/partnerships')],
      ['get', '/api/partnerships/{id}', () => ctx.as('officer').get(`/api/partnerships/${randomUUID()}`)],
      ['get', '/api/partnerships/{id}', () => ctx.as('officer').get('/api/partnerships/not-a-uuid')],
      ['get', '/api/audit/events', () => ctx.as('viewer').get('/api/audit/events')],
      [
        'get',
        '/api/dashboard/pipeline',
        () => ctx.as('viewer').get('/api/dashboard/pipeline?minPosition=soon'),
      ],
      [
        'get',
        '/api/dashboard/pipeline',
        // Past the end of the log: nothing reaches it within the 5 s, so 503 with Retry-After.
        () => ctx.as('viewer').get(`/api/dashboard/pipeline?minPosition=${head + 1_000_000}`),
      ],
      [
        'post',
        '/api/partnerships/{id}/suspension',
        () => ctx.as('officer').post(`/api/partnerships/${id}/suspension`, { reason: 'again' }),
      ],
      [
        'post',
        '/api/partnerships',
        () => ctx.as('officer').post('/api/partnerships', { title: 7, unknown: true }),
      ],
      [
        'post',
        '/api/partnerships/{id}/withdrawal',
        () =>
          ctx
            .as('officer')
            .post(`/api/partnerships/${id}/withdrawal`, { reason: 'x' })
            .set('If-Match', '"0"'),
      ],
      ['post', '/api/dev/token', () => ctx.http().post('/api/dev/token').send({ role: 'viewer' })],
    ];
    const seen = new Set<number>();
    for (const [method, path, call] of cases) {
      const { status, body } = await call();
      seen.add(status);
      const name = `${method.toUpperCase()} ${path} → ${status}`;
      expect([name, status >= 400]).toEqual([name, true]);
      expect([name, mismatches(document, answerSchema(document, method, path, status), body)]).toEqual([
        name,
        [],
      ]);
    }
    expect([...seen].sort()).toEqual([400, 401, 403, 404, 409, 412, 503]);
  });
});
