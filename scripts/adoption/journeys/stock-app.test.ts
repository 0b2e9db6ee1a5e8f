import { expect, Page, test } from '@playwright/test';
import { mkdirSync } from 'fs';
import { resolve } from 'path';

/*
 * Journeys in the stock Backstage app that scripts/adoption.sh generated and
 * installed Fleetdeck into from packed tarballs: the pages and tabs come from
 * the plugins' own extensions, found by the new frontend system's feature
 * discovery, with no Fleetdeck code in the app.
 */

const screenshots =
  process.env.ADOPTION_SCREENSHOTS ??
  resolve(__dirname, '../../../docs/screenshots');

async function screenshot(page: Page, name: string) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({
    path: resolve(screenshots, `stock-app-${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}

/**
 * Enters the stock app as its guest: create-app's app signs the guest in by
 * itself; a sign-in page, if one is configured, offers "Enter".
 */
async function enter(page: Page, path = '/') {
  await page.goto(path);
  const guest = page.getByRole('button', { name: 'Enter' });
  // the sidebar's <nav> has no box of its own; its links do
  const catalog = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true });
  await expect(guest.or(catalog)).toBeVisible();
  if (await guest.isVisible()) {
    await guest.click();
  }
  await expect(catalog).toBeVisible();
}

/** Reloads until the catalog has ingested what `check` waits for. */
async function eventually(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 120_000 });
}

test('the Fleet page lists the inventory clusters', async ({ page }) => {
  await enter(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Fleet', exact: true })
    .click();
  await expect(page).toHaveURL(/\/fleet/);
  // scripts/adoption/inventory/hosts.ini: 3 Kafka and 2 MongoDB clusters
  await eventually(page, () =>
    expect(page.getByText(/of 5 clusters/)).toBeVisible({ timeout: 5_000 }),
  );
  const table = page.getByRole('table', { name: 'Clusters' });
  for (const name of [
    'kafka-payments-dev',
    'kafka-payments-staging',
    'kafka-payments-prod',
    'mongodb-orders-dev',
    'mongodb-orders-prod',
  ]) {
    await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await screenshot(page, 'fleet');
});

test("a cluster's Runbooks tab dry-runs the Kafka rolling patch with Ansible output", async ({
  page,
}) => {
  await enter(page);
  const tab = page
    .getByRole('link', { name: 'Runbooks', exact: true })
    .and(page.locator('[href$="/cluster/kafka-payments-dev/runbooks"]'));
  await expect(async () => {
    await page.goto('/catalog/default/cluster/kafka-payments-dev');
    await expect(tab).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await tab.click();

  const card = page.locator('.MuiCard-root', {
    has: page.getByRole('heading', { name: 'Kafka rolling patch' }),
  });
  await eventually(page, () => expect(card).toBeVisible({ timeout: 5_000 }));
  await card.getByRole('button', { name: 'Run' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Target Kafka version/).fill('3.7.2');
  await expect(dialog.getByLabel(/Dry run/)).toBeChecked();
  await dialog.getByRole('button', { name: 'Start dry run' }).click();

  await expect(page).toHaveURL(/\/runbooks\/runs\/[^/]+$/);
  const row = page.getByTestId('target-cluster:default/kafka-payments-dev');
  await expect(row.getByText('Succeeded')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole('log', { name: 'Target log' })).toContainText(
    'PLAY RECAP',
  );
  await screenshot(page, 'runbook-run');
});

test('the Deployments tab of payments-api shows what staging would bring to production', async ({
  page,
}) => {
  await enter(page);
  const tab = page
    .getByRole('link', { name: 'Deployments', exact: true })
    .and(page.locator('[href$="/component/payments-api/deployments"]'));
  await expect(async () => {
    await page.goto('/catalog/default/component/payments-api');
    await expect(tab).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await tab.click();
  const ahead = page.getByRole('button', {
    name: /\d+ commits? ahead of production/,
  });
  await eventually(page, () => expect(ahead).toBeVisible({ timeout: 5_000 }));
  await ahead.click();
  const list = page.getByTestId('commit-list');
  await expect(list.getByTestId('commit-row').first()).toBeVisible();
  await expect(list).toContainText(/Showing \d+ of \d+/);
  await screenshot(page, 'deployments');
});

/** Picks the option of an autocomplete picker (OwnerPicker, EntityPicker, ...). */
async function pick(page: Page, label: RegExp, search: string, option: RegExp) {
  const box = page.getByRole('textbox', { name: label });
  await box.click();
  await box.fill(search);
  await page.getByRole('option', { name: option }).first().click();
}

test('the Microservice template creates a service', async ({ page }) => {
  test.setTimeout(300_000);
  await enter(page, '/create');
  const card = page.locator('.MuiCard-root').filter({
    has: page.getByRole('heading', { name: 'Microservice', exact: true }),
  });
  await eventually(page, () => expect(card).toBeVisible({ timeout: 5_000 }));
  await card.getByRole('button', { name: 'Choose' }).click();

  await page.getByRole('textbox', { name: /^Name/ }).fill('adoption-service');
  await page
    .getByRole('textbox', { name: /^Description/ })
    .fill('Made by the adoption test in a stock app');
  await pick(page, /^Owner/, 'payments', /^Payments$/);
  await pick(page, /^System/, 'payments', /Payments Platform/);
  await page.getByRole('button', { name: 'Next' }).click();
  const clusters = page.getByRole('textbox', { name: /^Clusters/ });
  await clusters.click();
  await clusters.fill('kafka');
  const kafka = page.getByRole('option', { name: /kafka/i }).first();
  await expect(kafka).toBeVisible({ timeout: 30_000 });
  await kafka.click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  const open = page.getByRole('link', { name: 'Open in catalog' });
  await expect(open).toBeVisible({ timeout: 120_000 });
  await screenshot(page, 'template-run');
  await open.click();
  await expect(
    page.getByRole('heading', { name: /adoption-service/ }).first(),
  ).toBeVisible({ timeout: 60_000 });
});

test("Fleetdeck's permission policy decides in the stock app, not allow-all", async ({
  request,
}) => {
  // the README step removed the stock app's allow-all policy; the guest
  // (platform-kafka) may not run the MongoDB team's runbook
  const refreshed = await request.post('/api/auth/guest/refresh');
  expect(refreshed.ok()).toBe(true);
  const { token } = (await refreshed.json()).backstageIdentity;
  const denied = await request.post('/api/runbooks/runs', {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      runbookRef: 'runbook:default/mongodb-key-rotation',
      targets: ['cluster:default/mongodb-orders-dev'],
      dryRun: true,
    },
  });
  expect(denied.status()).toBe(403);
});
