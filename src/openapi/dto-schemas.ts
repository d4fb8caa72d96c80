import type { OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { getMetadataStorage } from 'class-validator';

interface Rule { type: string; name?: string; propertyName: string; constraints?: unknown[]; target: Function | string }

const DESIGN_TYPES = new Map<unknown, SchemaObject>([
  [String, { type: 'string' }], [Number, { type: 'number' }], [Boolean, { type: 'boolean' }], [Array, { type: 'array', items: {} }],
]);

/**
 * The DTOs carry class-validator rules, not @ApiProperty decorators (swc builds without the
 * Swagger compiler plugin): each request body's schema is filled in from those rules, so the
 * document stays generated from the same classes that validate the input.
 */
export function describeDtoSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, Rule[]> };
  for (const [target, rules] of storage.validationMetadatas) {
    const schema = schemas[target.name] as SchemaObject | undefined;
    if (!schema || Object.keys(schema.properties ?? {}).length) continue;
    schemas[target.name] = describe(target, rules);
  }
}

/** A union of literals has no runtime type (it reads as Object): the values say what they are. */
function enumType(values: unknown[], declared: string): string {
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size !== 1) return declared;
  const [kind] = kinds;
  return kind === 'string' || kind === 'boolean' ? kind : kind === 'number' ? (values.every(Number.isInteger) ? 'integer' : 'number') : declared;
}

function describe(target: Function, rules: Rule[]): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  const optional = new Set<string>();
  for (const rule of rules) {
    const name = rule.propertyName;
    const type = Reflect.getMetadata('design:type', target.prototype, name) as unknown;
    const p = (properties[name] ??= { ...(DESIGN_TYPES.get(type) ?? { type: 'object' }) });
    if (rule.type === 'conditionalValidation') optional.add(name);
    const [a, b] = rule.constraints ?? [];
    switch (rule.name) {
      case 'isInt': p.type = 'integer'; break;
      case 'isIn': p.enum = a as unknown[]; p.type = enumType(p.enum, p.type as string); break;
      case 'isEmail': p.format = 'email'; break;
      case 'matches': p.pattern = String((a as RegExp).source ?? a); break;
      case 'isLength': p.minLength = a as number; if (b !== undefined) p.maxLength = b as number; break;
      case 'minLength': p.minLength = a as number; break;
      case 'maxLength': p.maxLength = a as number; break;
      case 'min': p.minimum = a as number; break;
      case 'max': p.maximum = a as number; break;
      case 'arrayMaxSize': p.maxItems = a as number; break;
      case 'isIsoDate': case 'isDateString': p.type = 'string'; p.format = 'date'; break;
      default: break;
    }
  }
  const required = Object.keys(properties).filter((name) => !optional.has(name));
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}
