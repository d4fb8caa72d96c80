import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail } from '../errors/domain-error';
import { assertStorableInput } from './storable-input';

/** Flattens nested class-validator errors into "where: what" details. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const where = parent ? `${parent}.${e.property}` : e.property;
    const own: ErrorDetail[] = Object.values(e.constraints ?? {}).map((message) => ({ where, message }));
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

export function createValidationPipe(): ValidationPipe {
  return new InputPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true, // one clear message per field

    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new BadRequestException({ message: `Invalid input: ${details.map((d) => d.message).join('; ')}`, details });
    },
  });
}
