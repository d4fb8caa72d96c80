import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorDetail } from '../errors/domain-error';

/**
 * A field name the caller sent that we do not know is itself submitted text: it is named only
 * when it looks like a field name, and the whitelist's message ("property X should not exist")
 * is replaced by one that does not quote it.
 */
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

/** Flattens nested class-validator errors into "where: what" details. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const plain = PLAIN_NAME.test(e.property) || /^\d+$/.test(e.property);
    const name = plain ? e.property : '(unnamed field)';
    const where = parent ? `${parent}.${name}` : name;
    const own: ErrorDetail[] = Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      ({ where, message: rule === 'whitelistValidation' ? `${plain ? e.property : 'a field of that name'} is not accepted here` : message }));
    return own.concat(flattenValidationErrors(e.children ?? [], where));
  });
}

const summary = (details: ErrorDetail[]) => `Invalid input: ${details.map((d) => d.message).join('; ')}`;

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true, // one clear message per field

    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new DomainError('validation_failed', summary(details), details);
    },
  });
}

export { summary as invalidInputMessage };
