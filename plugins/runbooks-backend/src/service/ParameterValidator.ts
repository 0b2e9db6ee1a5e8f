import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { assertRedactable } from '@fleetdeck/fleetdeck-node';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createHash } from 'crypto';
import { secretParameterNames } from '../engine/secrets';

/** How many distinct parameter schemas stay compiled (least recently used go). */
const DEFAULT_MAX_SCHEMAS = 200;

interface Compiled {
  ajv: Ajv;
  validate: ValidateFunction;
}

/** JSON with object keys sorted: one text, so one digest, per schema. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        k =>
          `${JSON.stringify(k)}:${canonical(
            (value as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Checks a run's parameters against its runbook's schema. Each distinct
 * schema (by digest) is compiled once, by an Ajv of its own: a catalog read
 * hands over a fresh schema object every time, which a shared Ajv would
 * cache forever, and a schema with `$id` would refuse to compile twice.
 * At most `maxSchemas` stay compiled; dropping one drops its Ajv.
 */
export class ParameterValidator {
  private readonly compiled = new Map<string, Compiled>();

  constructor(private readonly maxSchemas = DEFAULT_MAX_SCHEMAS) {}

  /** How many schemas are compiled now. */
  get size(): number {
    return this.compiled.size;
  }

  /** The run's parameters, with the schema's defaults, if the runbook accepts them. */
  validate(
    runbook: RunbookEntityV1alpha1,
    request: { parameters?: Record<string, unknown>; dryRun?: boolean },
  ): Record<string, unknown> {
    if (request.dryRun && runbook.spec.dryRun === false) {
      throw new InputError(
        `Runbook ${stringifyEntityRef(runbook)} does not support dry runs`,
      );
    }
    const parameters = structuredClone(request.parameters ?? {});
    const schema = runbook.spec.parameters ?? { type: 'object' };
    const { ajv, validate } = this.compile(schema);
    if (!validate(parameters)) {
      throw new InputError(
        `Invalid parameters: ${ajv.errorsText(validate.errors, {
          dataVar: 'parameters',
        })}`,
      );
    }
    // a secret parameter is redacted from every output: too short a value
    // cannot be, without mangling ordinary text
    for (const name of secretParameterNames(schema)) {
      const value = parameters[name];
      if (value === undefined) continue;
      try {
        assertRedactable(value, `parameters.${name}`);
      } catch (e) {
        throw new InputError((e as Error).message);
      }
    }
    return parameters;
  }

  private compile(schema: object): Compiled {
    const digest = createHash('sha256').update(canonical(schema)).digest('hex');
    const hit = this.compiled.get(digest);
    if (hit) {
      // most recently used last
      this.compiled.delete(digest);
      this.compiled.set(digest, hit);
      return hit;
    }
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    addFormats(ajv);
    // `password` only marks a parameter as secret (masked and redacted)
    ajv.addFormat('password', true);
    // compiled from a copy: the caller's object is not kept
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(structuredClone(schema));
    } catch (e) {
      throw new InputError(
        `The runbook's parameter schema is invalid: ${(e as Error).message}`,
      );
    }
    const entry = { ajv, validate };
    this.compiled.set(digest, entry);
    while (this.compiled.size > this.maxSchemas) {
      this.compiled.delete(this.compiled.keys().next().value as string);
    }
    return entry;
  }
}
