import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CompiledValidationPipe } from './compiled-validation';
import { ProblemError } from './problem';

interface FieldError {
  field: string;
  messages: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Whitelisted, typed DTOs; unknown fields refused; every failure listed per field. */
export const classValidatorPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  forbidUnknownValues: true,
  stopAtFirstError: false,
  exceptionFactory: (errors) => {
    const fields = flatten(errors);
    const summary = fields.map((f) => `${f.field}: ${f.messages.join(', ')}`).join('; ');
    return new ProblemError(400, 'validation', summary || 'The request body is invalid', { errors: fields });
  },
});

/** The same rules, compiled once per DTO for the bodies that pass (decision 27); the rest as above. */
export const validationPipe = new CompiledValidationPipe(classValidatorPipe);

/** For commands without a body: `{}` or nothing, any field refused like an unknown field. */
export const emptyBody = {
  transform(value: unknown): Record<string, never> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ProblemError(400, 'validation', 'The request body must be an empty JSON object');
    }
    const fields = Object.keys(value).map((field) => ({
      field,
      messages: [`property ${field} should not exist`],
    }));
    if (fields.length > 0) {
      throw new ProblemError(
        400,
        'validation',
        fields.map((f) => `${f.field}: ${f.messages[0]}`).join('; '),
        {
          errors: fields,
        },
      );
    }
    return {};
  },
};
