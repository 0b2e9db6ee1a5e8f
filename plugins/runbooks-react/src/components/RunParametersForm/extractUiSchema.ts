import { UiSchema } from '@rjsf/utils';

type Json = Record<string, unknown>;

/**
 * Splits a parameter schema into the JSON schema and the rjsf UI schema, the
 * way the scaffolder does: `ui:*` keys of a property move to the UI schema.
 */
export function extractUiSchema(input: Json | undefined): {
  schema: Json;
  uiSchema: UiSchema;
} {
  const uiSchema: UiSchema = {};
  const schema: Json = {};
  for (const [key, value] of Object.entries(input ?? {})) {
    if (key.startsWith('ui:')) {
      uiSchema[key] = value;
    } else if (
      key === 'properties' &&
      value &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      const properties: Json = {};
      for (const [name, property] of Object.entries(value as Json)) {
        const inner = extractUiSchema(property as Json);
        properties[name] = inner.schema;
        if (Object.keys(inner.uiSchema).length) {
          uiSchema[name] = inner.uiSchema;
        }
      }
      schema.properties = properties;
    } else {
      schema[key] = value;
    }
  }
  if (!('type' in schema) && 'properties' in schema) schema.type = 'object';
  return { schema, uiSchema };
}

/** Names of parameters whose values are secrets (masked in the form and the summary). */
export function secretParameterNames(input: Json | undefined): string[] {
  const properties = (input?.properties ?? {}) as Record<string, Json>;
  return Object.entries(properties)
    .filter(
      ([, p]) =>
        p?.['ui:field'] === 'Secret' ||
        p?.['ui:widget'] === 'password' ||
        p?.format === 'password' ||
        p?.secret === true,
    )
    .map(([name]) => name);
}
