import { type DynamicModule, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { AppConfig } from '@passerelle/config';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import fc from 'fast-check';
import { AppModule } from '../app.module';
import { IMPORT_COMMANDS } from '../import/import-commands';
import { compiledValidator, NOT_SURE } from './compiled-validation';
import { ProblemError } from './problem';
import { classValidatorPipe, validationPipe } from './validation';

type ModuleLike = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => Type };

/** Every controller of the application, from its modules' metadata (nothing is instantiated). */
function controllersOf(root: ModuleLike): Set<Type> {
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (entry: ModuleLike | undefined) => {
    if (!entry || entry instanceof Promise || 'forwardRef' in entry) return;
    const dynamic = 'module' in entry ? entry : undefined;
    const type = dynamic ? dynamic.module : (entry as Type);
    if (seen.has(dynamic ?? type)) return;
    seen.add(dynamic ?? type);
    const own = (key: string) => (Reflect.getMetadata(key, type) as ModuleLike[] | undefined) ?? [];
    for (const controller of [...own(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) {
      controllers.add(controller as Type);
    }
    for (const imported of [...own(MODULE_METADATA.IMPORTS), ...((dynamic?.imports ?? []) as ModuleLike[])]) {
      visit(imported);
    }
  };
  visit(root);
  return controllers;
}

/** The classes of every `@Body()` and `@Query()` of the application's routes, and the importer's DTOs. */
function applicationDtos(): Map<Type, 'body' | 'query'> {
  const config = { rateLimitPerMinute: 0, logLevel: 'silent' } as AppConfig;
  const dtos = new Map<Type, 'body' | 'query'>();
  const skipped = [String, Number, Boolean, Object, Array] as unknown[];
  for (const controller of controllersOf(AppModule.forRoot(config))) {
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      if ((Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined) === undefined)
        continue;
      const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) as Type[]) ?? [];
      const args =
        (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as
          Record<string, { index: number; data?: unknown }> | undefined) ?? {};
      for (const [key, arg] of Object.entries(args)) {
        const kind = Number(key.split(':')[0]);
        const where =
          kind === RouteParamtypes.BODY ? 'body' : kind === RouteParamtypes.QUERY ? 'query' : undefined;
        const type = types[arg.index];
        if (where && arg.data === undefined && type && !skipped.includes(type)) dtos.set(type, where);
      }
    }
  }
  for (const kind of Object.values(IMPORT_COMMANDS)) if (kind.dto) dtos.set(kind.dto as Type, 'body');
  return dtos;
}

const constraintNames = (metadata: ValidationMetadata): string[] =>
  getMetadataStorage()
    .getTargetValidatorConstraints(metadata.constraintCls)
    .map((constraint) => constraint.name);

interface Property {
  name: string;
  rules: { name: string; each: boolean; constraints: unknown[] }[];
  nested?: Type;
}

function propertiesOf(type: Type): Property[] {
  const properties = new Map<string, Property>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(
    type,
    undefined as unknown as string,
    false,
    false,
  )) {
    const property = properties.get(metadata.propertyName) ?? { name: metadata.propertyName, rules: [] };
    properties.set(metadata.propertyName, property);
    if (metadata.type === ValidationTypes.NESTED_VALIDATION) {
      property.nested = defaultMetadataStorage
        .findTypeMetadata(type, metadata.propertyName)
        ?.typeFunction() as Type;
    }
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION)
      property.rules.push({ name: 'optional', each: false, constraints: [] });
    for (const name of constraintNames(metadata)) {
      property.rules.push({ name, each: metadata.each, constraints: metadata.constraints });
    }
  }
  return [...properties.values()];
}

const rule = (property: Property, name: string) =>
  property.rules.find((r) => r.name.toLowerCase() === name.toLowerCase());
const bound = (property: Property, name: string, at = 0): number | undefined => {
  const found = rule(property, name);
  return found ? (found.constraints[at] as number | undefined) : undefined;
};

/** Values of the wrong kind, in every way a client could send them. */
const wrong = fc.constantFrom<unknown>(
  null,
  0,
  -1,
  1.5,
  1e13,
  true,
  '',
  ' ',
  'x',
  [],
  {},
  ['x'],
  [1],
  { a: 1 },
  '\u{1F600}',
);

/** A value the property's own rules should accept, most of the time (the reference decides). */
function good(property: Property, clean: boolean): fc.Arbitrary<unknown> {
  const item = goodItem(property, clean);
  if (!rule(property, 'isArray')) return item;
  const min = bound(property, 'arrayMinSize') ?? 0;
  const max = Math.min(bound(property, 'arrayMaxSize') ?? 5, min + 4);
  if (clean) return fc.uniqueArray(item, { minLength: min, maxLength: max, selector: serialize });
  return fc.oneof(
    { weight: 16, arbitrary: fc.array(item, { minLength: min, maxLength: max }) },
    {
      weight: 1,
      arbitrary: fc.array(item, { minLength: 0, maxLength: (bound(property, 'arrayMaxSize') ?? 5) + 1 }),
    },
    { weight: 1, arbitrary: item.map((value) => [value, value]) },
  );
}

function goodItem(property: Property, clean: boolean): fc.Arbitrary<unknown> {
  if (property.nested) return clean ? cleanBody(property.nested) : nestedBody(property.nested);
  const isIn = rule(property, 'isIn');
  if (isIn) return fc.constantFrom(...(isIn.constraints[0] as unknown[]));
  if (rule(property, 'isUuid')) return fc.oneof(fc.uuid(), fc.uuid({ version: 4 }));
  if (rule(property, 'isEmail'))
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('a@example.org', 'x.y+z@sub.example.com') },
      fc.emailAddress(),
    );
  if (rule(property, 'isUrl'))
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('https://example.org', 'http://example.org/a?b=c') },
      fc.webUrl(),
    );
  const date = fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true });
  if (rule(property, 'isIso8601') || rule(property, 'instant') || rule(property, 'calendarDay')) {
    const pattern = rule(property, 'matches')?.constraints[0] as RegExp | undefined;
    return pattern?.source.startsWith('^\\d{4}') || rule(property, 'calendarDay')
      ? fc.oneof(
          date.map((d) => d.toISOString().slice(0, 10)),
          fc.constantFrom('2024-02-30', '2024-13-01'),
        )
      : fc.oneof(
          { weight: 3, arbitrary: date.map((d) => d.toISOString()) },
          { weight: 3, arbitrary: date.map((d) => d.toISOString().replace('Z', '+02:00')) },
          { weight: 1, arbitrary: date.map((d) => d.toISOString().slice(0, 10)) },
        );
  }
  const matches = rule(property, 'matches');
  if (matches) return fc.stringMatching(matches.constraints[0] as RegExp);
  if (rule(property, 'isInt') || rule(property, 'wholeNumber')) {
    const min = bound(property, 'min') ?? 0;
    const max = bound(property, 'max') ?? 1000;
    return fc.integer({ min: min - 1, max: max + 1 });
  }
  if (rule(property, 'isNumber')) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -5, max: 1_000_000 }) },
      { weight: 4, arbitrary: fc.integer({ min: -100, max: 100_000_000 }).map((n) => n / 100) },
      { weight: 1, arbitrary: fc.double({ noNaN: true }) },
    );
  }
  if (rule(property, 'isString') || rule(property, 'isLength') || rule(property, 'maxLength')) {
    const max = bound(property, 'maxLength') ?? bound(property, 'isLength', 1) ?? 50;
    const min = bound(property, 'isLength') ?? 0;
    return fc.oneof(
      { weight: 8, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 40) }) },
      { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: 40, unit: 'grapheme' }) },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), '') },
    );
  }
  return fc.anything({ maxDepth: 1 });
}

/** An object as JSON text, so that a `__proto__` key is an own property, as body-parser makes it. */
class Json {
  constructor(readonly text: string) {}
}
const serialize = (value: unknown): string =>
  value instanceof Json
    ? value.text
    : Array.isArray(value)
      ? `[${value.map(serialize).join(',')}]`
      : JSON.stringify(value);
const objectOf = (entries: [string, unknown][]) =>
  new Json(`{${entries.map(([key, value]) => `${JSON.stringify(key)}:${serialize(value)}`).join(',')}}`);

/** A body with every field, each meant to be right (the reference still decides). */
function cleanBody(type: Type): fc.Arbitrary<Json> {
  const fields = propertiesOf(type).map((property) =>
    good(property, true).map((value): [string, unknown] => [property.name, value]),
  );
  return fc.tuple(...fields).map((entries) => objectOf(entries));
}

/** Keys a client could add: unknown ones, and those ValidationPipe strips before anything else. */
const EXTRA_KEYS = ['extra', 'Title', 'constructor', '__proto__', 'prototype', 'toString'];

/** A body: most fields good, some wrong, null or left out; now and then a field too many. */
function nestedBody(type: Type): fc.Arbitrary<Json> {
  const fields = propertiesOf(type).map((property) =>
    fc.oneof(
      {
        weight: 40,
        arbitrary: good(property, false).map((value): [string, unknown][] => [[property.name, value]]),
      },
      { weight: 1, arbitrary: wrong.map((value): [string, unknown][] => [[property.name, value]]) },
      { weight: 2, arbitrary: fc.constant<[string, unknown][]>([]) },
    ),
  );
  const extra = fc.oneof(
    { weight: 14, arbitrary: fc.constant<[string, unknown][]>([]) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...EXTRA_KEYS), wrong).map((entry): [string, unknown][] => [entry]),
    },
  );
  return fc
    .tuple(fc.tuple(...fields), extra, fc.boolean())
    .map(([parts, more, extraFirst]) =>
      objectOf(extraFirst ? [...more, ...parts.flat()] : [...parts.flat(), ...more]),
    );
}

type Outcome =
  { accepted: unknown; json: string } | { refused: Record<string, unknown> } | { crashed: string };

async function outcome(
  pipe: { transform(value: unknown, metadata: { type: 'body' | 'query'; metatype: Type }): unknown },
  value: unknown,
  type: 'body' | 'query',
  metatype: Type,
): Promise<Outcome> {
  try {
    const accepted = await pipe.transform(value, { type, metatype });
    return { accepted, json: JSON.stringify(accepted) };
  } catch (error) {
    // A constraint that throws (as class-validator's IsNumber with maxDecimalPlaces did on 3e-323) throws alike.
    if (!(error instanceof ProblemError)) return { crashed: String(error) };
    return {
      refused: {
        status: error.status,
        code: error.code,
        detail: error.message,
        extensions: error.extensions,
      },
    };
  }
}

/** A fixed seed keeps CI reproducible; FC_SEED=<n> explores other bodies (a failure prints its seed). */
const SEED = Number(process.env.FC_SEED ?? 20261202);
const RUNS = Number(process.env.FC_RUNS ?? 150);
/** Keys ValidationPipe deletes, and names of Object.prototype functions that class-transformer never sets. */
const STRIPPED = /"(?:__proto__|prototype|constructor|toString)":/;

describe('validation compiled from the DTO decorators', () => {
  const dtos = applicationDtos();

  it('finds the DTOs of the routes and of the importer', () => {
    const names = [...dtos.keys()].map((type) => type.name);
    expect(names).toEqual(
      expect.arrayContaining(['ProposePartnershipDto', 'LaunchProjectDto', 'RegisterOrganizationDto']),
    );
    expect(names.length).toBeGreaterThan(15);
  });

  it('compiles every body DTO; the query DTOs (converted by @Transform) stay with class-validator', () => {
    const fallback = [...dtos].filter(([type]) => compiledValidator(type) === undefined);
    expect(fallback.filter(([, where]) => where === 'body').map(([type]) => type.name)).toEqual([]);
    expect(fallback.length).toBeLessThan(dtos.size);
  });

  it.each([...applicationDtos()].map(([type, where]) => [type.name, type, where] as const))(
    '%s: the same answer as class-validator for every body, and the compiled form vouches for every accepted one',
    async (_name, type, where) => {
      const build = compiledValidator(type);
      let accepted = 0;
      let vouched = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(nestedBody(type), cleanBody(type)), async (body) => {
          const reference = await outcome(classValidatorPipe, JSON.parse(body.text), where, type);
          const answer = await outcome(validationPipe, JSON.parse(body.text), where, type);
          expect(answer).toStrictEqual(reference);
          if (build === undefined) return;
          let compiled: unknown;
          try {
            compiled = build(JSON.parse(body.text) as Record<string, unknown>);
          } catch (error) {
            compiled = NOT_SURE;
            expect(reference).toStrictEqual({ crashed: String(error) });
          }
          if (compiled !== NOT_SURE) {
            vouched++;
            expect('accepted' in reference).toBe(true);
            expect(compiled).toStrictEqual((reference as { accepted: unknown }).accepted);
            expect(JSON.stringify(compiled)).toBe((reference as { json: string }).json);
          }
          if ('accepted' in reference) {
            accepted++;
            // Only a key ValidationPipe deletes before validating may leave an accepted body to it.
            if (!STRIPPED.test(body.text)) expect(compiled).not.toBe(NOT_SURE);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      for (const value of [undefined, null, [], [{}], 'x', 1, true, {}]) {
        const reference = await outcome(classValidatorPipe, value, where, type);
        expect(await outcome(validationPipe, value, where, type)).toStrictEqual(reference);
      }
      // The generator reaches both answers, or the comparison above proves little.
      if (build !== undefined) {
        expect(accepted).toBeGreaterThan(RUNS / 20);
        expect(accepted).toBeLessThan(RUNS);
        expect(vouched).toBeGreaterThan(0);
      }
    },
  );
});
