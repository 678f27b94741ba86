import { applyDecorators, INestApplication } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  DocumentBuilder,
  getSchemaPath,
  OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { DOMAIN_ERRORS } from '@passerelle/domain';
import { DOMAIN_STATUS } from './problem.filter';
import { PROBLEM_TYPE_PREFIX } from './problem';
import { READ_SCHEMAS } from './read-schemas';

/**
 * The API's contract, built from the controllers by @nestjs/swagger and served at `/api/docs`
 * (`/api/docs/openapi.json`). `npm run openapi` writes it to `docs/openapi.json` and generates the
 * dashboard's types from it; `npm run openapi:check` fails when either is stale or when Redocly's
 * `recommended` rules find an error (docs/decisions/0019-api-contract-and-generated-dashboard-types.md).
 */

export class FieldErrorDto {
  @ApiProperty({ description: 'The field, dotted for nested ones (`contacts.0.email`)' })
  field!: string;
  @ApiProperty({ type: [String] })
  messages!: string[];
}

/** RFC 9457 problem details, as every 4xx and 5xx answer carries them (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({
    description: `Stable per error kind: \`${PROBLEM_TYPE_PREFIX}<code>\`; clients branch on it, not on the title`,
    example: `${PROBLEM_TYPE_PREFIX}partnership.withdrawn`,
  })
  type!: string;
  @ApiProperty({ example: 'Conflict' })
  title!: string;
  @ApiProperty({ type: 'integer', example: 409 })
  status!: number;
  @ApiPropertyOptional({ description: 'What went wrong, in words' })
  detail?: string;
  @ApiPropertyOptional({ description: 'The request path and query that were refused' })
  instance?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Validation failures, per field (400)' })
  errors?: FieldErrorDto[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'What a domain refusal names (ids, dates, the rule)',
  })
  details?: Record<string, unknown>;
}

const domainCodes = (status: number): string[] =>
  Object.entries(DOMAIN_ERRORS)
    .filter(([, kind]) => DOMAIN_STATUS[kind] === status)
    .map(([code]) => code);

const listed = (codes: string[], most = 4): string =>
  codes
    .slice(0, most)
    .map((code) => `\`${code}\``)
    .join(', ') + (codes.length > most ? ` and ${codes.length - most} more` : '');

/**
 * The error catalogue by status: what each answer means on this API and which problem types it carries
 * (the domain's codes come from `DOMAIN_ERRORS` through the filter's kind → status map).
 */
export const PROBLEM_STATUSES = {
  400: `Malformed or invalid input: \`validation\` (with \`errors[]\` per field), \`malformed_json\`, \`invalid_if_match\`, \`invalid_idempotency_key\`, \`invalid_cursor\`, or a domain refusal such as ${listed(domainCodes(400))}`,
  401: 'No bearer token, or one that is not valid (`unauthenticated`)',
  403: `The token lacks the role the route needs (\`forbidden\`), or the organisation acts outside its own partnerships (${listed(domainCodes(403))})`,
  404: `No such resource (\`not_found\`, ${listed(domainCodes(404))})`,
  409: `A lifecycle rule refused the command (${listed(domainCodes(409))}), or a concurrent write (\`concurrency_conflict\`)`,
  412: 'The `If-Match` revision is no longer current (`stale_revision`, with `currentRevision` and an `ETag`)',
  413: 'The request body is larger than the configured limit (`body_too_large`)',
  415: 'The request body is in an encoding or charset the API does not read (`unsupported_encoding`)',
  422: 'The `Idempotency-Key` was already used with another request (`idempotency_key_reused`)',
  429: 'Too many requests from this client (`rate_limited`, with `Retry-After`)',
  500: 'An unexpected error (`internal`); nothing was changed unless the answer says so',
  503: 'The read models did not reach `minPosition` within 5 s (`read_model_behind`, with `Retry-After`), or a dependency is not ready (`not_ready`)',
} as const;

export type ProblemStatus = keyof typeof PROBLEM_STATUSES;

const problemContent = () => ({
  'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } },
});

/** Documents the problem+json answers a route (or every route of a controller) gives besides the global ones. */
export const ApiProblems = (...statuses: ProblemStatus[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEM_STATUSES[status], content: problemContent() }),
    ),
  );

/**
 * What any command can answer: invalid input (400), the domain's refusals by kind (400, 403, 404, 409),
 * a concurrent write (409), a stale `If-Match` (412), a body too large or unreadable (413, 415) and a
 * reused `Idempotency-Key` (422).
 */
export const COMMAND_PROBLEMS: ProblemStatus[] = [
  ...new Set<ProblemStatus>([400, ...Object.values(DOMAIN_STATUS), 409, 412, 413, 415, 422]),
].sort((a, b) => a - b);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The answers that come from the global providers rather than from a route, added to every operation
 * they apply to: the rate limit (429) and the problem filter (500) on all; the auth guard (401, 403) on
 * those that need a token; read your writes (`minPosition`: 400, 503) on every GET.
 */
function addGlobalProblems(document: OpenAPIObject): void {
  const problem = {
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const statuses: ProblemStatus[] = [429, 500];
      if (operation.security?.length !== 0) statuses.push(401, 403);
      if (method === 'get') statuses.push(400, 503);
      for (const status of statuses) {
        const existing = operation.responses[status];
        // A route's own description wins; its body is a problem whatever a library decorator said.
        operation.responses[status] = {
          description:
            existing && 'description' in existing && existing.description
              ? existing.description
              : PROBLEM_STATUSES[status],
          ...problem,
        };
      }
      operation.responses = Object.fromEntries(
        Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
}

/** The OpenAPI document of a built (not necessarily listening) application. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Passerelle')
    .setDescription(
      'System of record for California–France innovation partnerships. Errors are RFC 9457 ' +
        '`application/problem+json` with a stable `type` per error kind.',
    )
    .setVersion('1')
    .addServer('/', 'The server that serves this document')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...READ_SCHEMAS },
  };
  // RFC 9457 extension members besides those listed: `currentRevision` (412), `minPosition` and
  // `position` (503), `checks` (not ready).
  const problem = document.components.schemas!.ProblemDto as SchemaObject;
  problem.additionalProperties = true;
  addGlobalProblems(document);
  return document;
}

/** A command route: its summary, its answer (`CommandResult`, with the ids the client may have left out) and its problems. */
export const ApiCommand = (summary: string, status: 200 | 201, ...ids: string[]) =>
  applyDecorators(
    ApiOperation({ summary }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes the command safe to repeat: the same key, actor and target with the same body answers what the ' +
        'first answered and appends nothing; with another body, 422 `idempotency_key_reused`',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$', minLength: 1, maxLength: 255 },
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The stream revision the command was decided on, as the `ETag` of a read (`"3"`): if the stream has ' +
        'moved on, 412 `stale_revision`; `*` or no header applies the command to the current revision',
      schema: { type: 'string', example: '"3"' },
    }),
    ApiResponse({
      status,
      description:
        status === 201
          ? 'Created: `Location` and `ETag` name the new thing'
          : 'Done (or already done with this Idempotency-Key)',
      schema:
        ids.length === 0
          ? { $ref: '#/components/schemas/CommandResult' }
          : {
              allOf: [
                { $ref: '#/components/schemas/CommandResult' },
                {
                  type: 'object',
                  required: ids,
                  properties: Object.fromEntries(ids.map((id) => [id, { type: 'string', format: 'uuid' }])),
                },
              ],
            },
    }),
  );

/** A read route's summary and its answer, named in `components.schemas` (see read-schemas.ts). */
export const ApiRead = (summary: string, schema?: string | SchemaObject, description = 'OK') =>
  applyDecorators(
    ApiOperation({ summary }),
    ...(schema === undefined
      ? []
      : [
          ApiResponse({
            status: 200,
            description,
            schema: typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema,
          }),
        ]),
  );
