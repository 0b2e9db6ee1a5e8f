import { expect, Locator, Page, test } from '@playwright/test';
// The app's journey helpers are shared by path; they are not package exports.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { resolve } from 'path';
import {
  saveScreenshot,
  screenshotDir,
  signInAsGuest,
} from '../../../packages/app/e2e-tests/helpers';

/** Opens the Fleet page once the catalog holds the 95 demo clusters. */
async function openFleet(page: Page) {
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Fleet', exact: true })
    .click();
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/of 95 clusters/)).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 90_000 });
}

/**
 * True when the element's text is drawn whole: not clipped by its own box
 * (ellipsis, overflow) and inside the card that holds it.
 */
async function drawnWhole(element: Locator) {
  return element.evaluate(el => {
    const card = el.closest('.MuiCard-root') ?? document.body;
    const e = el.getBoundingClientRect();
    const c = card.getBoundingClientRect();
    return el.scrollWidth <= el.clientWidth + 1 && e.right <= c.right + 1;
  });
}

test('an ops engineer sees the outdated Kafka clusters at a glance and dry-runs the patch on exactly those', async ({
  page,
}) => {
  // A dry run of the rolling patch on 7 clusters runs real ansible-playbook.
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await openFleet(page);

  // The demo policy: Kafka below 3.7.0 is outdated, 3.5 is end-of-life.
  const kafka = page.getByRole('region', { name: 'kafka versions' });
  await expect(kafka).toContainText('30 clusters · 23 of 30 current');
  await expect(
    kafka.getByRole('button', {
      name: '4 kafka clusters on 3.5.1, end-of-life',
    }),
  ).toBeVisible();
  await expect(
    kafka.getByRole('button', { name: '3 kafka clusters on 3.6.2, outdated' }),
  ).toBeVisible();
  await saveScreenshot(page, 'fleet-overview');

  // The outdated bar filters the table to the clusters below the policy.
  await kafka
    .getByRole('button', {
      name: '7 outdated kafka clusters (below 3.7.0), 4 of them end-of-life',
    })
    .click();
  await expect(page).toHaveURL(/engine=kafka/);
  await expect(page).toHaveURL(/policy=outdated/);
  await expect(page.getByText('1–7 of 7 clusters')).toBeVisible();
  const table = page.getByRole('table', { name: 'Clusters' });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(7);
  const names = await rows.locator('td:nth-child(2)').allTextContents();
  const versions = await rows.locator('td:nth-child(4)').allTextContents();
  for (const v of versions)
    expect(v).toMatch(/^3\.[56]\.\d+ ?(outdated|end-of-life)$/);

  await kafka
    .getByRole('button', { name: 'Patch the 7 outdated clusters' })
    .click();
  await expect(page.getByText('7 selected', { exact: true })).toBeVisible();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Run a runbook on 7 entities');
  await expect(
    dialog.getByRole('button', { name: /Kafka rolling patch/ }),
  ).toContainText('applies to all 7');
  await expect(dialog.getByLabel(/Target Kafka version/)).toHaveValue('3.8.0');
  await expect(dialog.getByLabel(/Dry run/)).toBeChecked();
  await expect(dialog.getByTestId('run-plan-summary')).toContainText(
    'Dry run of Kafka rolling patch on 7 targets',
  );
  await saveScreenshot(page, 'fleet-patch-outdated');
  await dialog.getByRole('button', { name: 'Start dry run' }).click();

  // The run has exactly those 7 clusters as targets, with 3.8.0.
  await expect(page).toHaveURL(/\/runbooks\/runs\/[^/?]+\?from=/);
  const targets = page.locator('[data-testid^="target-cluster:default/"]');
  await expect(targets).toHaveCount(7);
  const targetIds = await targets.evaluateAll(els =>
    els.map(el => el.getAttribute('data-testid')!),
  );
  expect(targetIds.sort()).toEqual(
    names.map(n => `target-cluster:default/${n.trim()}`).sort(),
  );
  await expect(page.getByText(/Parameters: version = 3\.8\.0/)).toBeVisible();
  await expect(page.getByTestId('run-progress')).toContainText('of 7 done');
  await saveScreenshot(page, 'fleet-patch-run');

  // The run page leads back to the Fleet page with the same filter.
  await page
    .getByRole('link', {
      name: /Back to the clusters this run was started from/,
    })
    .click();
  await expect(page).toHaveURL(/\/fleet\?engine=kafka&policy=outdated$/);
  await expect(page.getByText('1–7 of 7 clusters')).toBeVisible();
});

test('a cluster page shows its version against the policy, its relations, whole host names and label keys', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/cluster/kafka-payments-prod');
  await expect(page.getByText('end-of-life', { exact: true })).toBeVisible();
  await expect(
    page.getByText(
      'End-of-life (lines 3.5); supported from 3.7.0, target 3.8.0',
    ),
  ).toBeVisible();
  for (const host of [
    'kafka-payments-prod-01.fra.fleetdeck.example',
    'kafka-payments-prod.fra.fleetdeck.example:9093',
  ]) {
    expect(await drawnWhole(page.getByText(host, { exact: true }))).toBe(true);
  }

  // The relations graph draws the owner, the system and the services.
  for (const node of ['Platform Kafka', 'Data Platform', 'Payments Ledger']) {
    await expect(
      page.locator('svg').getByText(node, { exact: true }).first(),
    ).toBeVisible();
  }

  const labels = page.getByRole('table', { name: 'Labels' });
  for (const key of [
    'fleetdeck.io/engine',
    'fleetdeck.io/environment',
    'fleetdeck.io/node-count',
  ]) {
    const code = labels.getByText(key, { exact: true });
    await expect(code).toBeVisible();
    expect(await drawnWhole(code)).toBe(true);
  }
  await saveScreenshot(page, 'cluster-page');

  // The team page: how many of the team's clusters are current.
  await page.goto('/catalog/default/group/platform-kafka');
  const compliance = page.getByTestId('team-compliance');
  await expect(compliance).toContainText(
    '23 of 30 clusters current · 7 outdated (4 end-of-life)',
  );
  // The card alone: the team's relations graph fills the page above it.
  await page
    .locator('.MuiCard-root', { has: compliance })
    .last()
    .screenshot({
      path: resolve(screenshotDir, 'team-compliance.png'),
      animations: 'disabled',
    });
});

test('the drift page keeps owner names whole', async ({ page }) => {
  await signInAsGuest(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Drift', exact: true })
    .click();
  const table = page.getByRole('table', { name: 'Deployment drift' });
  const owner = table.getByRole('cell', { name: 'payments', exact: true });
  // The demo's deployments are imported shortly after the catalog settles.
  await expect(async () => {
    await page.reload();
    await expect(owner.first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  // The name is laid out on one line, not broken mid-word.
  const box = await owner.first().evaluate(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getClientRects().length;
  });
  expect(box).toBe(1);
  await saveScreenshot(page, 'drift-page');
});
