import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  FleetMaintenanceResponse,
  RunbookEntityV1alpha1,
  runbooksReadPermission,
} from '@fleetdeck/plugin-runbooks-common';
import { cluster, runbook } from '../engine/testUtils';
import { RunStore } from '../database/RunStore';
import { claimTargets } from '../database/testUtils';
import { startTestRouter } from './__testUtils__/testRouter';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

/** The runbook whose runs nobody here may read. */
const HIDDEN = 'runbook:default/hidden-patch';

/** A run whose targets all end as told, with the tls step's certificates given. */
async function run(
  store: Pick<RunStore, 'createRun' | 'commit'>,
  rb: RunbookEntityV1alpha1,
  outcomes: { name: string; ok: boolean; daysLeft?: number[] }[],
  dryRun = false,
) {
  await store.createRun({
    runbookRef: `runbook:default/${rb.metadata.name}`,
    runbook: rb,
    parameters: {},
    requestedBy: 'user:default/amelie',
    dryRun,
    concurrency: 50,
    targets: outcomes.map(o => ({
      entityRef: `cluster:default/${o.name}`,
      entity: cluster(o.name),
      needsApproval: false,
    })),
  });
  const claimed = await claimTargets(store, {
    workerId: 'w',
    limit: 50,
    staleAfterMs: 60_000,
  });
  await store.commit(
    claimed.map(c => {
      const o = outcomes.find(x => c.entityRef.endsWith(`/${x.name}`))!;
      const status = o.ok ? ('succeeded' as const) : ('failed' as const);
      return {
        claim: c,
        steps: [
          {
            id: rb.spec.steps[0].id,
            status,
            attempts: 1,
            output: o.daysLeft
              ? { certificates: o.daysLeft.map(daysLeft => ({ daysLeft })) }
              : undefined,
          },
        ],
        finish: { status },
        logs: [],
      };
    }),
  );
}

describe.each(databases.eachSupportedId())(
  'GET /fleet/maintenance on %s',
  databaseId => {
    let api: Awaited<ReturnType<typeof startTestRouter>>;
    const asked: string[] = [];

    beforeAll(async () => {
      const permissions = mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(r => {
            const { permission, resourceRef } = r as {
              permission: typeof runbooksReadPermission;
              resourceRef?: string;
            };
            if (isResourcePermission(permission)) {
              asked.push(`${permission.name} ${resourceRef}`);
            }
            return {
              result:
                resourceRef === HIDDEN
                  ? AuthorizeResult.DENY
                  : AuthorizeResult.ALLOW,
            };
          }) as any,
      });
      api = await startTestRouter({
        knex: await databases.init(databaseId),
        entities: [],
        permissions,
      });
      const patch = runbook('kafka-patch', { type: 'patch' });
      const hidden = runbook('hidden-patch', { type: 'patch' });
      const tls = runbook('cert-check', {
        type: 'check',
        steps: [{ id: 'check', executor: 'tls' }],
      });
      const hiddenTls = runbook('hidden-patch', {
        type: 'check',
        steps: [{ id: 'check', executor: 'tls' }],
      });
      await run(api.store, patch, [
        { name: 'c-0', ok: true },
        { name: 'c-1', ok: false },
      ]);
      await run(api.store, patch, [{ name: 'c-2', ok: true }], true);
      await run(api.store, hidden, [
        { name: 'c-0', ok: true },
        { name: 'c-1', ok: true },
      ]);
      await run(api.store, tls, [
        { name: 'c-0', ok: true, daysLeft: [80] },
        { name: 'c-1', ok: false, daysLeft: [5, 200] },
      ]);
      await run(api.store, hiddenTls, [
        { name: 'c-0', ok: false, daysLeft: [-1] },
        { name: 'c-3', ok: false, daysLeft: [2] },
      ]);
    });
    afterAll(() => api?.stop());

    it('answers from the runs of the runbooks the caller may read', async () => {
      asked.length = 0;
      const res = await fetch(`${api.url}/fleet/maintenance?kind=Cluster`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as FleetMaintenanceResponse;
      // c-1's only patch is in the hidden runbook; c-2's was a dry run; the
      // TLS check is maintenance of type `check` where it succeeded
      expect(body.lastSucceeded).toEqual({
        patch: { 'cluster:default/c-0': expect.stringMatching(/^\d{4}-/) },
        check: { 'cluster:default/c-0': expect.stringMatching(/^\d{4}-/) },
      });
      // the hidden runbook's later, failing checks of c-0 and c-3 are not seen
      expect(body.certificates).toEqual({
        'cluster:default/c-0': expect.objectContaining({ minDaysLeft: 80 }),
        'cluster:default/c-1': expect.objectContaining({ minDaysLeft: 5 }),
      });
      expect(body.certificates['cluster:default/c-1']).toEqual({
        checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        runId: expect.any(String),
        minDaysLeft: 5,
      });
      // one check per runbook, with the permission the runs list uses
      expect(asked.sort()).toEqual([
        'runbooks.read runbook:default/cert-check',
        `runbooks.read ${HIDDEN}`,
        'runbooks.read runbook:default/kafka-patch',
      ]);
    });

    it.each([
      ['kind=cluster%25', /kind/],
      ['kind=', /kind/],
      ['kind=a&kind=b', /kind/],
      [`kind=${'c'.repeat(64)}`, /kind/],
      ['since=yesterday', /since/],
    ])('answers ?%s with 400 and the reason', async (query, reason) => {
      const res = await fetch(`${api.url}/fleet/maintenance?${query}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(reason);
    });
  },
);
