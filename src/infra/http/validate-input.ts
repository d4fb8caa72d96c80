import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { flattenValidationErrors, invalidInputMessage } from './validation';

/** The HTTP ValidationPipe's rules for callers outside HTTP (the CLI): same DTOs, same messages. */
export function validateInput<T extends object>(dto: new () => T, plain: Record<string, unknown>): T {
  const instance = plainToInstance(dto, plain);
  const details = flattenValidationErrors(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }));
  if (details.length) {
    throw new DomainError('validation_failed', invalidInputMessage(details), details);
  }
  return instance;
}
