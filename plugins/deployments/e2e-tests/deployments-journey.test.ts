import { expect, test } from '@playwright/test';
// The app's journey helpers are shared by path; they are not package exports.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  saveScreenshot,
  signInAsGuest,
} from '../../../packages/app/e2e-tests/helpers';

test('a release manager sees what staging would bring to production, then the fleet drift', async ({
  page,
}) => {
  await signInAsGuest(page);
  // The catalog ingests the demo services shortly after the portal starts.
  // The entity page's tabs are links.
  const tab = page
    .getByRole('link', { name: 'Deployments', exact: true })
    .and(page.locator('[href$="/component/payments-api/deployments"]'));
  await expect(async () => {
    await page.goto('/catalog/default/component/payments-api');
    await expect(tab).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await tab.click();

  // The demo's deployments are imported from files a few seconds after the
  // catalog has the services; reload until they are there.
  const ahead = page.getByRole('button', {
    name: /\d+ commits? ahead of production/,
  });
  await expect(async () => {
    await page.reload();
    await expect(ahead).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(ahead).toHaveText(/3 commits ahead of production/);
  const production = page.getByTestId('environment-production');
  await expect(production).toContainText('1.4.0');
  await expect(production).toContainText('release-bot');
  await expect(page.getByTestId('environment-staging')).toContainText(
    '1.5.0-rc.1',
  );

  await ahead.click();
  const list = page.getByTestId('commit-list');
  await expect(list.getByTestId('commit-row')).toHaveCount(3);
  await expect(list).toContainText('Showing 3 of 3');
  const ticket = list.getByRole('link', { name: /^Ticket PAY-\d+/ }).first();
  await expect(ticket).toHaveAttribute(
    'href',
    /^https:\/\/jira\.fleetdeck\.example\/browse\/PAY-\d+$/,
  );
  await expect(
    list.getByRole('link', { name: /^Pull request #\d+/ }).first(),
  ).toBeVisible();
  // Files changed by a commit, with additions and deletions.
  await list
    .getByRole('button', { name: /1 file/ })
    .first()
    .click();
  await expect(list.getByTestId('file-list').first()).toContainText(
    'src/orders.ts',
  );
  await saveScreenshot(page, 'deployments-tab');

  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Drift', exact: true })
    .click();
  const table = page.getByRole('table', { name: 'Deployment drift' });
  const row = table
    .getByTestId('drift-row')
    .filter({ hasText: 'Payments API' });
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText(/production is \d+ commits behind/, {
      timeout: 5_000,
    });
  }).toPass({ timeout: 60_000 });
  // card-tokenizer is fully promoted, so it sorts below the services that lag.
  await expect(
    table.getByTestId('drift-row').filter({ hasText: 'Card Tokenizer' }),
  ).toContainText('production is up to date');
  await saveScreenshot(page, 'drift-page');
});
