import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { runbook } from '../engine/testUtils';
import { ParameterValidator } from './ParameterValidator';

/** Node's garbage collector, exposed for this test (jest runs without --expose-gc). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The runbook as a catalog read hands it over: every object fresh. */
const freshRunbook = (schema: object) =>
  runbook('kafka-patch', {
    parameters: structuredClone(schema),
  }) as RunbookEntityV1alpha1;

const schema = {
  $id: 'https://fleetdeck.example/schemas/kafka-patch',
  type: 'object',
  required: ['version'],
  properties: {
    version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
    retries: { type: 'integer', default: 3 },
    window: { type: 'string', format: 'date-time' },
  },
};

describe('ParameterValidator', () => {
  it('validates with a schema that has an $id on every start, not only the first', () => {
    const validator = new ParameterValidator();
    for (let i = 0; i < 3; i++) {
      expect(
        validator.validate(freshRunbook(schema), {
          parameters: { version: '3.7.1' },
        }),
      ).toEqual({ version: '3.7.1', retries: 3 });
      expect(() =>
        validator.validate(freshRunbook(schema), {
          parameters: { version: 'latest' },
        }),
      ).toThrow('Invalid parameters: parameters/version must match pattern');
    }
    // a changed runbook with the same $id is a schema of its own
    const stricter = structuredClone(schema);
    stricter.properties.retries = { type: 'integer', maximum: 1 } as never;
    expect(() =>
      validator.validate(freshRunbook(stricter), {
        parameters: { version: '3.7.1', retries: 2 },
      }),
    ).toThrow('parameters/retries must be <= 1');
    expect(validator.size).toBe(2);
  });

  it('grows the heap by less than 20 MB over 10,000 starts with fresh schema objects', () => {
    const gc = collector();
    const validator = new ParameterValidator();
    const start = (i: number) =>
      validator.validate(freshRunbook(schema), {
        parameters: { version: `3.7.${i}` },
      });
    start(0); // compiles once, outside the measure
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1; i <= 10_000; i++) start(i);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // eslint-disable-next-line no-console
    console.log(
      `heap after 10,000 validations: ${(grown / 1024 / 1024).toFixed(2)} MB`,
    );
    expect(grown).toBeLessThan(20 * 1024 * 1024);
    expect(validator.size).toBe(1);
  });

  it('keeps at most its bound of distinct schemas compiled', () => {
    const validator = new ParameterValidator(10);
    for (let i = 0; i < 50; i++) {
      const distinct = {
        ...schema,
        $id: `https://fleetdeck.example/schemas/${i}`,
      };
      validator.validate(freshRunbook(distinct), {
        parameters: { version: '1.0.0' },
      });
    }
    expect(validator.size).toBe(10);
  });

  it('refuses secret parameters too short to redact and dry runs a runbook does not support', () => {
    const validator = new ParameterValidator();
    const secret = freshRunbook({
      type: 'object',
      properties: { token: { type: 'string', format: 'password' } },
    });
    expect(() =>
      validator.validate(secret, { parameters: { token: 'pin1' } }),
    ).toThrow("Secret 'parameters.token' is 4 characters");
    const noDryRun = { ...secret, spec: { ...secret.spec, dryRun: false } };
    expect(() => validator.validate(noDryRun, { dryRun: true })).toThrow(
      'does not support dry runs',
    );
  });
});
