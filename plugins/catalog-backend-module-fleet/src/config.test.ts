import { ConfigReader } from '@backstage/config';
import { readReconcileConfig } from './config';

describe('readReconcileConfig', () => {
  it("takes the stitch timeout from the catalog's stitching strategy, 60 s when unset", () => {
    expect(readReconcileConfig(new ConfigReader({})).stitchTimeoutMs).toBe(
      60_000,
    );
    expect(
      readReconcileConfig(
        new ConfigReader({
          catalog: {
            stitchingStrategy: {
              mode: 'deferred',
              stitchTimeout: { minutes: 3 },
            },
          },
        }),
      ).stitchTimeoutMs,
    ).toBe(180_000);
  });
});
