import { expect, test } from '@playwright/test';
import {
  openClusterRunbooks,
  runbookCard,
  saveScreenshot,
  signInAsGuest,
} from './helpers';

test('a real patch run shows on the Fleet page as maintenance within 7 days, and its bar lists that cluster', async ({
  page,
}) => {
  // A real (not dry) run of the rolling patch runs ansible-playbook.
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await openClusterRunbooks(page, 'kafka-audit-dev');
  const card = await runbookCard(page, 'Kafka rolling patch');
  await card.getByRole('button', { name: 'Run' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Dry run/).uncheck();
  await dialog.getByRole('button', { name: 'Start run' }).click();
  const row = page.getByTestId('target-cluster:default/kafka-audit-dev');
  await expect(row.getByText('Succeeded')).toBeVisible({ timeout: 120_000 });

  // The Fleet overview counts it: one cluster patched within 7 days.
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Fleet', exact: true })
    .click();
  const maintenance = page.getByRole('region', {
    name: 'Days since last successful maintenance',
  });
  await maintenance.getByRole('button', { name: 'patch', exact: true }).click();
  const patched = maintenance.getByRole('button', {
    name: /^\d+ clusters with a successful patch run ≤ 7 days ago$/,
  });
  await expect(patched).toBeVisible();
  // earlier journeys may have patched other clusters for real too
  const count = Number(
    (await patched.getAttribute('aria-label'))!.split(' ')[0],
  );
  expect(count).toBeGreaterThanOrEqual(1);
  await expect(
    maintenance.getByRole('button', {
      name: `${95 - count} clusters never had a successful patch run`,
    }),
  ).toBeVisible();
  await saveScreenshot(page, 'fleet-maintenance');

  // Its bar filters the table to the patched clusters, this one among them.
  await patched.click();
  await expect(page).toHaveURL(/maintenance=patch(%3A|:)le7/);
  await expect(page.getByText(`1–${count} of ${count} clusters`)).toBeVisible();
  await expect(
    page
      .getByRole('table', { name: 'Clusters' })
      .getByRole('link', { name: 'kafka-audit-dev', exact: true }),
  ).toBeVisible();
});
