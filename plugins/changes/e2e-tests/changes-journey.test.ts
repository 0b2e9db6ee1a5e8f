import { expect, test } from '@playwright/test';
// Playwright runs this file in Node, not in the browser: it may check the
// demo repositories with git.
/* eslint-disable no-restricted-imports */
import { execFile } from 'child_process';
import { resolve } from 'path';
import { promisify } from 'util';
// The journey helpers are shared by path; they are not package exports.
/* eslint-disable @backstage/no-relative-monorepo-imports */
import { saveScreenshot } from '../../../packages/app/e2e-tests/helpers';
import { signInAsDemoUser } from '../../runbooks/e2e-tests/helpers';
/* eslint-enable @backstage/no-relative-monorepo-imports */

const git = promisify(execFile);

/** The demo's bare repositories (scripts/demo.d/60-deployments.sh, 65-changes.sh). */
const demoGit = resolve(
  process.env.FLEETDECK_DEMO_DIR ??
    resolve(__dirname, '../../../.fleetdeck/demo'),
  'git',
);

const payments = [
  'component:default/payments-api',
  'component:default/payments-ledger',
  'component:default/sepa-gateway',
];

test('a payments engineer moves every payments service from Node 18 to Node 20 in one change', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // emma.dubois is in payments, the owner of the services: her apply pushes
  // right away (anyone else's would wait for an owner's approval).
  await signInAsDemoUser(page, 'emma.dubois');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Changes', exact: true })
    .click();
  await page.getByRole('tab', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/changes\/search/);

  // Search every service's code. The backend mirrors the repositories shortly
  // after it starts; until then they are reported as not searched yet.
  await page.getByLabel('Search the code of every service').fill('node:18');
  await page
    .getByRole('search')
    .getByRole('button', { name: 'Search', exact: true })
    .click();
  const summary = page.getByTestId('search-summary');
  const services = page.getByTestId('search-service');
  await expect(async () => {
    await page.reload();
    await expect(summary).toContainText('in 4 services', { timeout: 5_000 });
    // only the portal's own Component, which has no repository
    await expect(page.getByText(/could not be searched/)).toContainText(
      /\b1 repository could not be searched/,
    );
  }).toPass({ timeout: 120_000 });
  // Grouped by service, with the owner; card-tokenizer is already on node:20.
  for (const name of [
    'Payments API',
    'Payments Ledger',
    'SEPA Gateway',
    'Fraud Detector',
  ]) {
    await expect(services.filter({ hasText: name })).toHaveCount(1);
  }
  await expect(services.filter({ hasText: 'Card Tokenizer' })).toHaveCount(0);
  const api = services.filter({ hasText: 'Payments API' });
  await expect(api).toContainText('owner Payments');
  await expect(api.getByTestId('search-match').first()).toContainText(
    'Dockerfile:1',
  );
  await expect(
    services.filter({ hasText: 'Fraud Detector' }).getByTestId('search-match'),
  ).toContainText('dashboard/Dockerfile:1');
  await saveScreenshot(page, 'changes-search');

  // The hits become a change; fraud-detector belongs to risk, so the change
  // targets the payments platform through a catalog filter instead.
  await page
    .getByRole('button', { name: 'Create change from these results' })
    .click();
  await expect(page).toHaveURL(/\/changes\/new/);
  await page.getByLabel('Title').fill('Node 18 → 20 in every payments service');
  await page
    .getByLabel('Description')
    .fill('Node 18 reached its end of life; build on **Node 20**.');
  await page.getByRole('radio', { name: 'A catalog filter' }).check();
  await page.getByLabel('Systems').fill('payments-platform');
  await expect(page.getByLabel('Step 1 pattern')).toHaveValue('node:18');
  await page.getByLabel('Step 1 files').fill('Dockerfile');
  await page.getByLabel('Step 1 replacement').fill('node:20');
  await page.getByRole('button', { name: 'Preview' }).click();

  // The tracking page: each repository previewed with its diff.
  await expect(page).toHaveURL(/\/changes\/[^/]+$/);
  const changeUrl = page.url();
  await expect(
    page.getByRole('heading', {
      name: 'Node 18 → 20 in every payments service',
    }),
  ).toBeVisible();
  const rows = page.getByTestId('repository-row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('legend-previewed')).toContainText(
    'Previewed 3',
    { timeout: 60_000 },
  );
  for (const ref of payments) {
    const row = rows.and(page.locator(`[data-entity-ref="${ref}"]`));
    await expect(row.getByTestId('state-chip')).toHaveAttribute(
      'data-state',
      'previewed',
    );
    await expect(row).toContainText('1 file');
  }
  await expect(
    rows.and(
      page.locator('[data-entity-ref="component:default/payments-api"]'),
    ),
  ).toContainText('+2 −2');
  await page
    .getByRole('button', {
      name: 'Show the diff of component:default/payments-api',
    })
    .click();
  const diff = page.getByTestId('diff');
  await expect(diff.locator('[data-line="del"]').first()).toHaveText(
    '-FROM node:18-alpine AS build',
  );
  await expect(diff.locator('[data-line="add"]').first()).toHaveText(
    '+FROM node:20-alpine AS build',
  );
  await expect(diff.locator('[data-line="add"]')).toHaveCount(2);
  await expect(diff.locator('[data-line="del"]')).toHaveCount(2);
  await saveScreenshot(page, 'changes-preview');

  // Apply to all, confirmed: a branch with one commit in each repository.
  await page.getByRole('button', { name: 'Apply to all' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('in 3 repositories previewed');
  await dialog.getByRole('button', { name: 'Apply to all' }).click();
  await expect(page.getByTestId('legend-pushed')).toContainText('Pushed 3', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('counts-bar')).toHaveAttribute(
    'aria-label',
    '3 pushed',
  );
  for (const ref of payments) {
    const row = rows.and(page.locator(`[data-entity-ref="${ref}"]`));
    await expect(row.getByTestId('state-chip')).toHaveAttribute(
      'data-state',
      'pushed',
    );
  }
  await page.reload();
  await expect(page.getByTestId('state-chip').first()).toHaveAttribute(
    'data-state',
    'applied',
  );
  // names as the catalog has them, not the refs shown until they load
  await expect(page.getByRole('link', { name: 'SEPA Gateway' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Emma Dubois' })).toBeVisible();
  await saveScreenshot(page, 'changes-applied');

  // In the repositories: the branch, one commit on main, by the requester.
  const branch = (await page
    .locator('code', { hasText: /^fleetdeck\// })
    .first()
    .textContent())!;
  expect(branch).toMatch(/^fleetdeck\//);
  for (const ref of payments) {
    const gitDir = resolve(demoGit, `${ref.split('/')[1]}.git`);
    const run = async (...args: string[]) =>
      (await git('git', [`--git-dir=${gitDir}`, ...args])).stdout.trim();
    expect(await run('rev-list', '--count', `main..${branch}`)).toBe('1');
    expect(await run('log', '-1', '--format=%s|%ae', branch)).toBe(
      'Node 18 → 20 in every payments service|emma.dubois@fleetdeck.example',
    );
    const dockerfile = await run('show', `${branch}:Dockerfile`);
    expect(dockerfile).toContain('FROM node:20-alpine');
    expect(dockerfile).not.toContain('node:18');
  }

  // The change is listed with its counts.
  await page.goto(changeUrl.replace(/\/changes\/[^/]+$/, '/changes'));
  await expect(
    page.getByText('Node 18 → 20 in every payments service'),
  ).toBeVisible();
});
