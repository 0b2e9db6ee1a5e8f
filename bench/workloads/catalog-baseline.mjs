// The runner's own sanity workload: what the catalog model's entity policies
// cost on 10,000 Components, against a plain JSON.parse of the same documents.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const name = 'catalog entity policies (runner sanity check)';

export async function run({ log }) {
  const {
    DefaultNamespaceEntityPolicy,
    EntityPolicies,
    FieldFormatEntityPolicy,
    NoForeignRootFieldsEntityPolicy,
    SchemaValidEntityPolicy,
  } = require('@backstage/catalog-model');
  const policy = EntityPolicies.allOf([
    new DefaultNamespaceEntityPolicy(),
    new NoForeignRootFieldsEntityPolicy(),
    new FieldFormatEntityPolicy(),
    new SchemaValidEntityPolicy(),
  ]);
  const docs = Array.from({ length: 10_000 }, (_, i) =>
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `service-${i}` },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    }),
  );
  let t = performance.now();
  for (const d of docs) JSON.parse(d);
  const parse = performance.now() - t;
  t = performance.now();
  for (const d of docs) await policy.enforce(JSON.parse(d));
  const validate = performance.now() - t;
  log(`${docs.length} entities`);
  return [
    {
      figure: 'parse + validate 10k entities',
      value: validate,
      baseline: parse,
      unit: 'ms',
      better: 'lower',
    },
  ];
}
