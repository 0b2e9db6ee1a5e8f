import { expect, test } from '@playwright/test';
// The app's journey helpers are shared by path; they are not package exports.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  saveScreenshot,
  signInAsGuest,
} from '../../../packages/app/e2e-tests/helpers';

test('an ops engineer finds the production Kafka clusters, opens one and sees what its team owns', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Fleet', exact: true })
    .click();

  // The demo inventory holds 95 clusters; on a fresh portal the catalog may
  // still be stitching them, and the page shows what the catalog has.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/of 95 clusters/)).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 90_000 });

  await page.getByRole('button', { name: 'Filter by engine' }).click();
  await page.getByRole('option', { name: /^kafka \(30\)$/ }).click();
  await page.getByRole('button', { name: 'Filter by environment' }).click();
  await page.getByRole('option', { name: /^production \(\d+\)$/ }).click();
  await expect(page.getByText('1–10 of 10 clusters')).toBeVisible();
  await expect(page).toHaveURL(/engine=kafka/);
  await expect(page).toHaveURL(/environment=production/);

  // Which production Kafka clusters still run 3.5? Sort by version.
  await page.getByRole('button', { name: 'Version', exact: true }).click();
  const table = page.getByRole('table', { name: 'Clusters' });
  const firstRow = table.locator('tbody tr').first();
  await expect(firstRow).toContainText('3.5.1');
  await saveScreenshot(page, 'fleet-page');

  await table.getByRole('link', { name: 'kafka-payments-prod' }).click();
  await expect(page.getByText('Cluster overview')).toBeVisible();
  await expect(
    page.getByText('kafka-payments-prod-01.fra.fleetdeck.example'),
  ).toBeVisible();
  await expect(
    page.getByText('kafka-payments-prod.fra.fleetdeck.example:9093'),
  ).toBeVisible();
  await expect(
    page.getByText(/Sun \d\d:\d\d–\d\d:\d\d \(Europe\/Berlin\)/),
  ).toBeVisible();
  await saveScreenshot(page, 'cluster-page');

  // The owner link in the overview card leads to the team.
  await page
    .getByRole('link', { name: /platform[- ]kafka/i })
    .first()
    .click();
  await expect(
    page.getByRole('heading', { name: /platform[- ]kafka/i }).first(),
  ).toBeVisible();
  const owned = page.getByRole('table', { name: 'Clusters owned' });
  await expect(owned).toBeVisible();
  const kafkaRow = owned.getByRole('row', { name: /kafka/ });
  await expect(
    kafkaRow.getByRole('link', { name: '10 kafka clusters in production' }),
  ).toBeVisible();
  await expect(
    kafkaRow.getByRole('link', { name: '10 kafka clusters in staging' }),
  ).toBeVisible();
  await expect(
    kafkaRow.getByRole('link', { name: '10 kafka clusters in dev' }),
  ).toBeVisible();
  await expect(kafkaRow.getByRole('cell').last()).toHaveText('30');
  await saveScreenshot(page, 'team-clusters-owned');

  // A count leads back to the Fleet page with the team's filter applied.
  await kafkaRow
    .getByRole('link', { name: '10 kafka clusters in production' })
    .click();
  await expect(page.getByText('1–10 of 10 clusters')).toBeVisible();
});

test('a service page lists the clusters the service depends on', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-ledger');
  const card = page.getByRole('table', {
    name: 'Clusters this service depends on',
  });
  await expect(card).toBeVisible();
  const kafka = card.getByRole('row', { name: /kafka-payments-prod/ });
  await expect(kafka).toContainText('3.5.1');
  await expect(kafka).toContainText('production');
  await expect(
    card.getByRole('row', { name: /postgresql-payments-prod/ }),
  ).toContainText('postgresql');
  await saveScreenshot(page, 'service-clusters');
  await kafka.getByRole('link', { name: 'kafka-payments-prod' }).click();
  await expect(page.getByText('Cluster overview')).toBeVisible();
});
