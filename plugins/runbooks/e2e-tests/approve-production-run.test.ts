import { expect, test } from '@playwright/test';
import {
  openClusterRunbooks,
  runbookCard,
  saveScreenshot,
  signInAsDemoUser,
  signInAsGuest,
} from './helpers';

test('c: a production run waits for approval until an SRE approves it', async ({
  browser,
}) => {
  // The requester: the demo's guest, on the Kafka platform team.
  const requester = await browser.newPage();
  await signInAsGuest(requester);
  await openClusterRunbooks(requester, 'kafka-payments-prod');
  const card = await runbookCard(requester, 'Kafka rolling patch');
  await expect(card.getByText(/needs approval by/)).toBeVisible();
  await expect(
    card.getByRole('link', { name: 'Site Reliability Engineering' }).last(),
  ).toHaveAttribute('href', '/catalog/default/group/sre');
  await card.getByRole('button', { name: 'Run' }).click();
  const dialog = requester.getByRole('dialog');
  await dialog.getByLabel(/Dry run/).uncheck();
  await expect(dialog.getByTestId('run-plan-summary')).toContainText(
    '1 of 1 targets need approval by group:default/sre',
  );
  await dialog.getByRole('button', { name: 'Start run' }).click();

  await expect(requester).toHaveURL(/\/runbooks\/runs\/[^/]+$/);
  const runUrl = new URL(requester.url()).pathname;
  const row = requester.getByTestId(
    'target-cluster:default/kafka-payments-prod',
  );
  await expect(row.getByText('Awaiting approval')).toBeVisible();
  // The requester cannot approve their own run: no button for it.
  await expect(
    requester.getByRole('button', { name: 'Cancel run' }),
  ).toBeVisible();
  await expect(requester.getByRole('button', { name: 'Approve' })).toHaveCount(
    0,
  );

  // The approver: a second demo identity in its own browser context.
  const context = await browser.newContext();
  const approver = await context.newPage();
  await signInAsDemoUser(approver, 'olivia.brown');
  await approver.goto(runUrl);
  const approvers = approver.getByText(/^Approvers:/);
  await expect(approvers).toBeVisible();
  await expect(
    approvers.getByRole('link', { name: 'Site Reliability Engineering' }),
  ).toBeVisible();
  const approve = approver.getByRole('button', { name: 'Approve' });
  await expect(approve).toBeVisible();
  await expect(approver.getByRole('button', { name: 'Reject' })).toBeVisible();
  await saveScreenshot(approver, 'runbooks-approval');
  await approve.click();

  const approvedRow = approver.getByTestId(
    'target-cluster:default/kafka-payments-prod',
  );
  await expect(approvedRow.getByText('Succeeded')).toBeVisible({
    timeout: 90_000,
  });
  await expect(approver.getByTestId('run-progress')).toContainText(
    '1 of 1 done',
  );
  await expect(
    approver.getByText(/Approved by user:default\/olivia.brown/),
  ).toBeVisible();
  // The requester's page follows along live.
  await expect(row.getByText('Succeeded')).toBeVisible({ timeout: 30_000 });
  await context.close();
});
