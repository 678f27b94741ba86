import type { ArgumentMetadata, PipeTransform, ValidationPipe } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

/**
 * Validation and transformation of a DTO built once per class from its decorators (class-validator's
 * metadata storage and class-transformer's `@Type`), for the requests that pass: the same rules as the
 * `ValidationPipe` it stands in front of, without filtering the whole metadata store per call.
 *
 * It only ever says "valid" (with the DTO instance) or "not sure". Anything else (a failed rule, a shape it
 * does not model, a class with a decorator it does not know) goes to the ValidationPipe, which then gives
 * the answer and, for a refusal, every message in its own order. So a refusal reads exactly as before, and
 * nothing is accepted that class-validator would refuse (held by compiled-validation.unit.spec.ts).
 */

/** Returned by a compiled check that cannot vouch for the value. */
export const NOT_SURE = Symbol('not sure');
type NotSure = typeof NOT_SURE;

type Plain = Record<string, unknown>;
type DtoClass = new () => object;
type Build = (plain: Plain) => object | NotSure;

interface Rule {
  /** `IsOptional()`, `ValidateIf()`: the property is skipped when one of them says no. */
  conditions: ((object: object, value: unknown) => boolean)[];
  /** `IsDefined()` and the constraints (built-in or `ValidateBy`), each with its own arguments. */
  checks: Check[];
  /** `ValidateNested()` with `@Type(() => Dto)`: the nested class's compiled form. */
  nested?: () => Build | undefined;
}

interface Check {
  validateIf?: (object: object, value: unknown) => boolean;
  each: boolean;
  constraints: unknown[];
  validators: ValidatorConstraintInterface[];
}

/** The property types ValidationPipe does not validate (it returns the value as it came). */
const NOT_VALIDATED: unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];
/** ValidationPipe deletes these keys, at every depth, before anything else. */
const STRIPPED_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

const compiled = new Map<DtoClass, Build | undefined>();

/** The compiled form of a DTO class, built on first use; undefined when the class must go to class-validator. */
export function compiledValidator(type: DtoClass): Build | undefined {
  if (compiled.has(type)) return compiled.get(type);
  // A nested class that refers back to this one finds it "not compiled" while it is being built.
  compiled.set(type, undefined);
  const build = compile(type);
  compiled.set(type, build);
  return build;
}

function compile(type: DtoClass): Build | undefined {
  if (NOT_VALIDATED.includes(type)) return undefined;
  const storage = getMetadataStorage();
  // The same call, with the same options, as ValidationPipe's validation (no groups, `always` off).
  const metadatas = storage.getTargetValidationMetadatas(type, undefined as unknown as string, false, false);
  if (metadatas.length === 0) return undefined; // forbidUnknownValues refuses it: class-validator says how
  if (!transformsAsPlain(type)) return undefined;
  const prototype = type.prototype;

  const rules = new Map<string, Rule>();
  for (const metadata of metadatas) {
    const property = metadata.propertyName;
    // class-transformer never sets a property that is a method or a getter-only accessor of the class.
    if (property in prototype) return undefined;
    const rule = rules.get(property) ?? { conditions: [], checks: [] };
    rules.set(property, rule);
    switch (metadata.type) {
      case ValidationTypes.WHITELIST:
        break;
      case ValidationTypes.CONDITIONAL_VALIDATION:
        rule.conditions.push(metadata.constraints[0] as Rule['conditions'][number]);
        break;
      case ValidationTypes.IS_DEFINED:
      case ValidationTypes.CUSTOM_VALIDATION: {
        const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
        if (constraints.some((constraint) => constraint.async)) return undefined;
        rule.checks.push({
          validateIf: metadata.validateIf,
          each: metadata.each,
          constraints: metadata.constraints,
          validators: constraints.map((constraint) => constraint.instance),
        });
        break;
      }
      case ValidationTypes.NESTED_VALIDATION: {
        const nestedType = typeOf(type, property);
        if (nestedType === undefined) return undefined;
        rule.nested = () => compiledValidator(nestedType);
        break;
      }
      default:
        return undefined; // a kind of rule this does not model (promise validation, a schema, a newer type)
    }
  }
  for (const property of rules.keys()) {
    if (
      !rules.get(property)!.nested &&
      defaultMetadataStorage.findTypeMetadata(type, property) !== undefined
    ) {
      return undefined; // `@Type` without `ValidateNested()`: the instance it makes is never validated
    }
  }
  const entries = [...rules.entries()];
  const targetName = type.name;

  return (plain: Plain): object | NotSure => {
    const instance = new type() as Plain;
    for (const key in plain) {
      if (!Object.hasOwn(plain, key)) continue;
      const rule = rules.get(key);
      if (rule === undefined) return NOT_SURE; // forbidNonWhitelisted, or a key ValidationPipe strips first
      const value = plain[key];
      const copy = rule.nested ? nestedCopy(value, rule.nested()) : plainCopy(value);
      if (copy === NOT_SURE) return NOT_SURE;
      instance[key] = copy;
    }
    for (const [property, rule] of entries) {
      const value = instance[property];
      if (!rule.conditions.every((condition) => condition(instance, value))) continue;
      for (const check of rule.checks) {
        if (check.validateIf && !check.validateIf(instance, value)) continue;
        const args: ValidationArguments = {
          targetName,
          property,
          object: instance,
          value,
          constraints: check.constraints,
        };
        for (const validator of check.validators) {
          const valid =
            check.each && Array.isArray(value)
              ? value.every((item) => passes(validator.validate(item, args)))
              : passes(validator.validate(value, args));
          if (!valid) return NOT_SURE;
        }
      }
      if (rule.nested && value !== undefined) {
        // Nested values were checked as they were built; anything but an object or an array is refused.
        if (value === null || typeof value !== 'object') return NOT_SURE;
      }
    }
    return instance;
  };
}

/** No `@Transform`, `@Expose`, `@Exclude` or class-level strategy: plainToInstance copies every key as it is. */
function transformsAsPlain(type: DtoClass): boolean {
  if (defaultMetadataStorage.getStrategy(type) !== 'none') return false;
  if (defaultMetadataStorage.getExposedMetadatas(type).length > 0) return false;
  if (defaultMetadataStorage.getExcludedMetadatas(type).length > 0) return false;
  const properties = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(type, undefined as unknown as string, false, false)
      .map((metadata) => metadata.propertyName),
  );
  for (const property of properties) {
    const transforms = [TransformationType.PLAIN_TO_CLASS, TransformationType.CLASS_TO_PLAIN];
    if (
      transforms.some(
        (kind) => defaultMetadataStorage.findTransformMetadatas(type, property, kind).length > 0,
      )
    )
      return false;
  }
  return true;
}

/** The class a `@Type(() => Dto)` names, when it is a plain, constant one. */
function typeOf(type: DtoClass, property: string): DtoClass | undefined {
  const metadata = defaultMetadataStorage.findTypeMetadata(type, property);
  if (metadata === undefined || metadata.options?.discriminator !== undefined) return undefined;
  if (metadata.typeFunction.length > 0) return undefined; // it depends on the value: not modelled
  const nested = metadata.typeFunction() as unknown;
  return typeof nested === 'function' && !NOT_VALIDATED.includes(nested) ? (nested as DtoClass) : undefined;
}

/** As class-validator reads a constraint's answer; an asynchronous one is left to it. */
const passes = (answer: unknown): boolean =>
  Boolean(answer) && typeof (answer as { then?: unknown }).then !== 'function';

function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype;
}

/** What plainToInstance makes of a value without `@Type`: JSON values copied, objects and arrays deeply. */
function plainCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) return NOT_SURE;
      const item = plainCopy(value[index]);
      if (item === NOT_SURE) return NOT_SURE;
      copy.push(item);
    }
    return copy;
  }
  if (!isPlainObject(value)) return NOT_SURE;
  const copy: Plain = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (STRIPPED_KEYS.has(key)) return NOT_SURE;
    const item = plainCopy(value[key]);
    if (item === NOT_SURE) return NOT_SURE;
    copy[key] = item;
  }
  return copy;
}

/** A `@Type(() => Dto)` value: an object, or an array of objects, each checked and built by Dto's compiled form. */
function nestedCopy(value: unknown, build: Build | undefined): unknown {
  if (value === null || typeof value !== 'object') return value; // refused or skipped by the rules
  if (build === undefined) return NOT_SURE;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (!isPlainObject(item)) return NOT_SURE;
      const built = build(item);
      if (built === NOT_SURE) return NOT_SURE;
      copy.push(built);
    }
    return copy;
  }
  return isPlainObject(value) ? build(value) : NOT_SURE;
}

/**
 * ValidationPipe with the compiled form in front: a body the compiled form vouches for is answered at
 * once; anything else goes through the ValidationPipe as before.
 */
export class CompiledValidationPipe implements PipeTransform<unknown> {
  constructor(readonly fallback: ValidationPipe) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && typeof metadata.metatype === 'function' && isPlainObject(value)) {
      const build = compiledValidator(metadata.metatype as DtoClass);
      if (build !== undefined) {
        const result = build(value);
        if (result !== NOT_SURE) return result;
      }
    }
    return this.fallback.transform(value, metadata);
  }
}
