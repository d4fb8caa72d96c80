import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorDetail } from '../errors/domain-error';
import { assertStorableInput, fieldName } from './storable-input';

/** Flattens nested class-validator errors into "where: what" details. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const name = fieldName(e.property);
    const plain = name === e.property;
    const where = parent ? `${parent}.${name}` : name;
    const own: ErrorDetail[] = Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      ({ where, message: rule === 'whitelistValidation' ? `${plain ? e.property : 'a field of that name'} is not accepted here` : message }));
    return own.concat(flattenValidationErrors(e.children ?? [], where));
  });
}

/**
 * Every body, query, route value and upload of every route passes here first, so text that
 * cannot be stored is refused with 400 before any handler sees it (no per-field checks).
 */
class InputPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    assertStorableInput(value, metadata.data ?? '');
    return super.transform(value, metadata);
  }
}

const summary = (details: ErrorDetail[]) => `Invalid input: ${details.map((d) => d.message).join('; ')}`;

export function createValidationPipe(): ValidationPipe {
  return new InputPipe({
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
