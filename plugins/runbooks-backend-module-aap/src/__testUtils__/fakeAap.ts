import { FakeAwxServer, FakeAwxTemplate } from '@fleetdeck/backend-test-utils';
import { AapExecutor, AapExecutorOptions } from '../AapExecutor';

/** The token the fake AAP accepts; no error or log line may show it. */
export const TOKEN = 'awx-token-5f1c9e0d7b';

/** The job templates of the fake AAP. */
export const templates: FakeAwxTemplate[] = [
  {
    id: 7,
    name: 'Restart web',
    askLimitOnLaunch: true,
    askVariablesOnLaunch: true,
    askJobTypeOnLaunch: true,
    tasks: ['restart nginx', 'check health'],
    durationMs: 100,
    artifacts: { restarted: ['web1', 'web2'] },
  },
  {
    id: 8,
    name: 'Deploy',
    askLimitOnLaunch: true,
    askVariablesOnLaunch: true,
    durationMs: 60,
  },
  { id: 9, name: 'Fixed limit', askVariablesOnLaunch: true, durationMs: 60 },
  {
    id: 10,
    name: 'Many tasks',
    askLimitOnLaunch: true,
    tasks: Array.from({ length: 80 }, (_, i) => `task ${i + 1}`),
    durationMs: 40,
  },
  {
    id: 11,
    name: 'Flaky',
    askLimitOnLaunch: true,
    hostResults: { web2: 'failed' },
    durationMs: 60,
  },
  {
    id: 12,
    name: 'Broken',
    askLimitOnLaunch: true,
    finalStatus: 'error',
    jobExplanation: 'Previous Task Failed: {"job_type": "project_update"}',
    durationMs: 60,
  },
  { id: 13, name: 'Slow', askLimitOnLaunch: true, durationMs: 10_000 },
];

/**
 * Starts a fake AAP with {@link templates} before each test and stops it
 * after; `executor` makes an aap executor pointed at it.
 */
export function useFakeAap() {
  let fake: FakeAwxServer;
  beforeEach(async () => {
    fake = new FakeAwxServer({ token: TOKEN, templates });
    await fake.start();
  });
  afterEach(() => fake.stop());
  return {
    fake: () => fake,
    executor: (options: Partial<AapExecutorOptions> = {}) =>
      new AapExecutor({
        baseUrl: fake.url,
        apiPath: '/api/v2/',
        token: TOKEN,
        retries: 3,
        retryDelayMs: 5,
        pollIntervalMs: 20,
        ...options,
      }),
  };
}

/** The error a step failed with (failing when it succeeds), checked not to show the token. */
export async function failure(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(
    () => undefined,
    e => e as Error,
  );
  if (!error) throw new Error('the step succeeded');
  expect(error.message).not.toContain(TOKEN);
  return error;
}
