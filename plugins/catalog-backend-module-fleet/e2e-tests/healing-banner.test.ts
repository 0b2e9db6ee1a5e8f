import { expect, test } from '@playwright/test';
import knexFactory from 'knex';
import { join } from 'node:path';
// The app's journey helpers are shared by path; they are not package exports.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  saveScreenshot,
  signInAsGuest,
} from '../../../packages/app/e2e-tests/helpers';

// The three clusters issue 17 lost after a restart during ingestion.
const LOST = [
  'cluster:default/mongodb-sessions-staging',
  'cluster:default/mongodb-sessions-prod',
  'cluster:default/mongodb-catalog-dev',
];

test('after a restart during ingestion leaves clusters unstitched, the Fleet page says how many are served while the reconcile heals them', async ({
  page,
}) => {
  // two reconcile passes (every 20 s in scripts/e2e.sh's config, every minute
  // in the demo), then processing and stitching
  test.setTimeout(360_000);
  const dataDir = process.env.FLEETDECK_DATA_DIR;
  expect(
    dataDir,
    'FLEETDECK_DATA_DIR: run through scripts/e2e.sh',
  ).toBeTruthy();
  // The state a backend killed between processing and stitching leaves in the
  // portal's catalog (SQLite file): processed, hashed, not stitched, not queued.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dataDir!, 'catalog.sqlite') },
    useNullAsDefault: true,
  });
  try {
    const ids = (
      await knex('refresh_state')
        .whereIn('entity_ref', LOST)
        .select('entity_id')
    ).map(r => r.entity_id);
    expect(ids).toHaveLength(LOST.length);
    await knex.transaction(async tx => {
      await tx('search').whereIn('entity_id', ids).delete();
      await tx('final_entities').whereIn('entity_id', ids).delete();
      await tx('stitch_queue').whereIn('entity_ref', LOST).delete();
    });
  } finally {
    await knex.destroy();
  }

  await signInAsGuest(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Fleet', exact: true })
    .click();

  const banner = page.getByTestId('inventory-healing-banner');
  // The next reconcile pass (at most 20 s here) finds them and counts them on
  // the inventory's status entity; the banner appears on a reload.
  await expect(async () => {
    await page.reload();
    await expect(banner).toContainText('92 of 95 clusters served, healing', {
      timeout: 20_000,
    });
  }).toPass({ timeout: 150_000 });
  await expect(page.getByRole('table', { name: 'Clusters' })).toBeVisible();
  await saveScreenshot(page, 'fleet-page-healing');

  // Healed: all 95 listed again and the banner gone.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/of 95 clusters/)).toBeVisible({
      timeout: 20_000,
    });
    await expect(banner).toHaveCount(0);
  }).toPass({ timeout: 180_000 });
});
