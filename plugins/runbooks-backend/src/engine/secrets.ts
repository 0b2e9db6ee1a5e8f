import { Redactor } from '@fleetdeck/plugin-runbooks-node';

/**
 * Names of parameters whose values are secrets: `format: password`,
 * `ui:field: Secret` (the scaffolder's secret field) or `secret: true`.
 */
export function secretParameterNames(schema: unknown): string[] {
  const properties = (schema as any)?.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties)
    .filter(
      ([, p]: [string, any]) =>
        p?.format === 'password' ||
        p?.['ui:field'] === 'Secret' ||
        p?.secret === true,
    )
    .map(([name]) => name);
}

/** The run's parameters with secret values masked, for API responses and events. */
export function maskParameters(
  schema: unknown,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  const secret = new Set(secretParameterNames(schema));
  return Object.fromEntries(
    Object.entries(parameters).map(([k, v]) => [k, secret.has(k) ? '***' : v]),
  );
}

/** A redactor for one run: configured secrets plus its secret parameters. */
export function runRedactor(
  base: Redactor,
  schema: unknown,
  parameters: Record<string, unknown>,
): Redactor {
  const values = secretParameterNames(schema)
    .map(name => parameters[name])
    .filter((v): v is string => typeof v === 'string');
  return base.with(values);
}
