import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail } from '../errors/domain-error';

/** Flattens nested class-validator errors into "where: what" details. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const where = parent ? `${parent}.${e.property}` : e.property;
    const own: ErrorDetail[] = Object.values(e.constraints ?? {}).map((message) => ({ where, message }));
    return own.concat(flattenValidationErrors(e.children ?? [], where));
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
