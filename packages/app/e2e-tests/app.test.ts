import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAsGuest } from './helpers';

test('a team page shows the team and its members', async ({ page }) => {
  await signInAsGuest(page);

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Catalog', exact: true }).click();

  // The catalog lists the demo's services; switch the kind picker to Group.
  await expect(page.getByRole('link', { name: 'Payments API' })).toBeVisible();
  await page.getByRole('button', { name: 'Component' }).click();
  await page.getByRole('option', { name: 'Group' }).click();
  await page.getByRole('link', { name: 'Platform Kafka' }).first().click();

  await expect(
    page.getByRole('heading', { name: 'Platform Kafka' }).first(),
  ).toBeVisible();
  await expect(page.getByText('Platform Kafka members (4 of 4)')).toBeVisible();
  for (const email of [
    'amelie.martin@fleetdeck.example',
    'jonas.weber@fleetdeck.example',
    'priya.nair@fleetdeck.example',
    'guest@fleetdeck.example',
  ]) {
    await expect(page.getByRole('link', { name: email })).toBeVisible();
  }
  await saveScreenshot(page, 'team-page');
});
