import { ConfigReader } from '@backstage/config';
import { FakeAwxServer } from '@fleetdeck/backend-test-utils';
import { isRunbookStepError } from '@fleetdeck/plugin-runbooks-node';
import { createServer } from 'net';
import { AapExecutor } from './AapExecutor';
import { failure, templates, TOKEN, useFakeAap } from './__testUtils__/fakeAap';
import { testContext } from './__testUtils__/testContext';

describe('AapExecutor', () => {
  const setup = useFakeAap();
  const executor = setup.executor;
  let fake: FakeAwxServer;
  beforeEach(() => {
    fake = setup.fake();
  });

  it('launches limited to the target nodes with the extra vars, and maps success', async () => {
    const { ctx, messages } = testContext({
      nodes: ['web1', 'web2'],
      input: { jobTemplate: 'Restart web', extraVars: { version: '1.2.3' } },
    });
    const result = await executor().execute(ctx);
    expect(fake.launches).toEqual([
      {
        templateId: 7,
        jobId: 100,
        limit: 'web1,web2',
        extraVars: { version: '1.2.3' },
        jobType: undefined,
      },
    ]);
    expect(result).toEqual({
      output: {
        jobId: 100,
        status: 'successful',
        url: `${fake.url}/#/jobs/playbook/100/output`,
        artifacts: { restarted: ['web1', 'web2'] },
      },
    });
    expect(messages()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Launched AAP job 100 from job template 'Restart web' \(id 7\)/,
        ),
        'TASK [restart nginx] ****************************************',
        'ok: [web1]',
        'web2 : ok=1 changed=0 unreachable=0 failed=0',
      ]),
    );
    expect(messages().join('\n')).not.toContain('\u001b');
    expect(messages().join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('looks a template up once for steps that start together', async () => {
    const aap = executor();
    await Promise.all(
      Array.from({ length: 5 }, () =>
        aap.execute(testContext({ input: { jobTemplate: 'Deploy' } }).ctx),
      ),
    );
    expect(fake.launches).toHaveLength(5);
    expect(
      fake.requests.filter(r => r.url.includes('job_templates/?name=')),
    ).toHaveLength(1);
  });

  it('takes the template by id and an explicit limit', async () => {
    const { ctx } = testContext({
      input: { jobTemplate: 8, limit: 'db1, db2' },
    });
    await executor().execute(ctx);
    expect(fake.launches).toMatchObject([
      { templateId: 8, limit: 'db1,db2', extraVars: undefined },
    ]);
  });

  it('writes the events in counter order, across pages of job_events', async () => {
    const { ctx, lines, messages } = testContext({
      nodes: ['web1', 'web2'],
      input: { jobTemplate: 'Many tasks' },
    });
    // polled after the job finished: its 244 events come in two pages
    await executor({ pollIntervalMs: 400 }).execute(ctx);
    expect(fake.requests.map(r => r.url)).toContainEqual(
      expect.stringMatching(/job_events\/\?.*page=2/),
    );
    const tasks = messages().filter(m => m.startsWith('TASK ['));
    expect(tasks).toHaveLength(80);
    tasks.forEach((line, i) => expect(line).toContain(`TASK [task ${i + 1}]`));
    const oks = messages().filter(m => m.startsWith('ok: ['));
    expect(oks).toHaveLength(160);
    expect(oks.slice(0, 4)).toEqual([
      'ok: [web1]',
      'ok: [web2]',
      'ok: [web1]',
      'ok: [web2]',
    ]);
    expect(lines.every(l => l.message.trim() !== '')).toBe(true);
  });

  it('sees a short job finish soon with a long poll interval, reading its events once', async () => {
    const { ctx, messages } = testContext({
      input: { jobTemplate: 'Restart web' },
    });
    const started = Date.now();
    // a 100 ms job; a fixed schedule would first look after 1 s
    await executor({ pollIntervalMs: 4000 }).execute(ctx);
    expect(Date.now() - started).toBeLessThan(800);
    const urls = fake.requests.map(r => r.url);
    expect(urls.filter(u => /\/jobs\/100\/$/.test(u))).toHaveLength(1);
    expect(urls.filter(u => u.includes('/job_events/'))).toHaveLength(1);
    expect(messages()).toEqual(
      expect.arrayContaining([
        'TASK [check health] ****************************************',
        'web1 : ok=1 changed=0 unreachable=0 failed=0',
      ]),
    );
  });

  it('reads the events of a running job once per poll interval, its status more often', async () => {
    const { ctx, lines } = testContext({
      input: { jobTemplate: 'Restart web' },
    });
    // a 100 ms job followed with a 20 ms interval
    const loggedWhileRunning: number[] = [];
    lines.push = (...items) => {
      const output = items.filter(l => l.message.startsWith('TASK ['));
      if (output.length && fake.jobStatus(100) === 'running') {
        loggedWhileRunning.push(output.length);
      }
      return Array.prototype.push.apply(lines, items);
    };
    await executor({ pollIntervalMs: 20 }).execute(ctx);
    const urls = fake.requests.map(r => r.url);
    const statusReads = urls.filter(u => /\/jobs\/100\/$/.test(u)).length;
    const eventReads = urls.filter(u => u.includes('/job_events/')).length;
    expect(eventReads).toBeGreaterThanOrEqual(2);
    expect(eventReads).toBeLessThanOrEqual(100 / 20 + 2);
    expect(statusReads).toBeGreaterThan(eventReads);
    // the live log: output while the job still runs
    expect(loggedWhileRunning.length).toBeGreaterThan(0);
  });

  it('fails the step with the job outcome when the job fails', async () => {
    const { ctx, lines } = testContext({
      nodes: ['web1', 'web2'],
      input: { jobTemplate: 'Flaky' },
    });
    const error = await failure(executor().execute(ctx));
    expect(isRunbookStepError(error)).toBe(true);
    expect(error.message).toMatch(/^AAP job 100 failed; see http/);
    expect((error as any).output).toEqual({
      jobId: 100,
      status: 'failed',
      url: `${fake.url}/#/jobs/playbook/100/output`,
      jobExplanation: '',
    });
    expect(lines).toContainEqual({
      level: 'error',
      message: 'fatal: [web2]: FAILED! => {"msg": "ping failed"}',
    });
  });

  it('gives the job explanation of a job in error', async () => {
    const { ctx } = testContext({ input: { jobTemplate: 'Broken' } });
    const error = await failure(executor().execute(ctx));
    expect(error.message).toContain(
      'AAP job 100 ended in error: Previous Task Failed',
    );
    expect((error as any).output).toMatchObject({
      status: 'error',
      jobExplanation: 'Previous Task Failed: {"job_type": "project_update"}',
    });
  });

  it('cancels the job in AAP when the step is cancelled', async () => {
    const { ctx, abort, messages } = testContext({
      input: { jobTemplate: 'Slow' },
    });
    const run = executor().execute(ctx);
    await new Promise(r => setTimeout(r, 150));
    expect(fake.jobStatus(100)).toBe('running');
    abort(new Error('Run cancelled by jane'));
    const error = await failure(run);
    expect(error.message).toBe('Run cancelled by jane');
    expect(fake.cancels).toEqual([100]);
    expect(fake.jobStatus(100)).toBe('canceled');
    expect(messages()).toContain('AAP job 100 is canceled');
  });

  it('says when a job was cancelled in AAP', async () => {
    const { ctx } = testContext({ input: { jobTemplate: 'Slow' } });
    const run = executor().execute(ctx);
    await new Promise(r => setTimeout(r, 100));
    await fetch(`${fake.url}/api/v2/jobs/100/cancel/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const error = await failure(run);
    expect(error.message).toBe('AAP job 100 was cancelled in AAP');
    expect((error as any).output).toMatchObject({ status: 'canceled' });
  });

  it('launches a dry run as a check job', async () => {
    const { ctx, messages } = testContext({
      dryRun: true,
      input: { jobTemplate: 'Restart web' },
    });
    await executor().execute(ctx);
    expect(fake.launches).toMatchObject([{ jobType: 'check' }]);
    expect(messages()).toContainEqual(
      expect.stringContaining('as a check job (dry run)'),
    );
  });

  it.each([
    [429, 0],
    [503, undefined],
  ] as const)('retries requests answered %s', async (status, retryAfter) => {
    fake.failNext(2, status, retryAfter);
    const { ctx } = testContext({ input: { jobTemplate: 'Deploy' } });
    await expect(executor().execute(ctx)).resolves.toMatchObject({
      output: { status: 'successful' },
    });
    expect(fake.launches).toHaveLength(1);
    expect(fake.requests.slice(0, 3).map(r => r.url)).toEqual([
      '/api/v2/job_templates/?name=Deploy',
      '/api/v2/job_templates/?name=Deploy',
      '/api/v2/job_templates/?name=Deploy',
    ]);
  });

  it('retries a launch answered 503 and launches once', async () => {
    const { ctx } = testContext({ input: { jobTemplate: 8 } });
    const aap = executor();
    await aap.execute(testContext({ input: { jobTemplate: 8 } }).ctx);
    fake.failNext(2, 503);
    await aap.execute(ctx);
    expect(fake.launches).toHaveLength(2);
    expect(fake.requests.filter(r => r.url.endsWith('/launch/'))).toHaveLength(
      4,
    );
  });

  it('fails clearly when AAP stays unavailable', async () => {
    fake.failNext(10, 503);
    const { ctx } = testContext({ input: { jobTemplate: 'Deploy' } });
    const error = await failure(executor({ retries: 2 }).execute(ctx));
    expect(error.message).toBe(
      `AAP at ${fake.url} answered GET /api/v2/job_templates/ with 503: Injected failure.`,
    );
  });

  it('names the template and AAP when the template is unknown', async () => {
    const byName = await failure(
      executor().execute(testContext({ input: { jobTemplate: 'Nope' } }).ctx),
    );
    expect(byName.name).toBe('InputError');
    expect(byName.message).toBe(
      `No job template named 'Nope' in AAP at ${fake.url}`,
    );
    const byId = await failure(
      executor().execute(testContext({ input: { jobTemplate: 404 } }).ctx),
    );
    expect(byId.message).toBe(
      `No job template with id 404 in AAP at ${fake.url}`,
    );
  });

  it('names AAP and the setting when AAP is unreachable', async () => {
    const port = await new Promise<number>(resolve => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const { ctx } = testContext({ input: { jobTemplate: 'Deploy' } });
    const error = await failure(
      executor({ baseUrl: `http://127.0.0.1:${port}` }).execute(ctx),
    );
    expect(error.message).toBe(
      `AAP at http://127.0.0.1:${port} is unreachable: ECONNREFUSED; check runbooks.aap.baseUrl`,
    );
  });

  it('says the token was refused, without showing it', async () => {
    const { ctx } = testContext({ input: { jobTemplate: 'Deploy' } });
    const error = await failure(
      executor({ token: 'wrong-token-123' }).execute(ctx),
    );
    expect(error.message).toContain(
      'with 401: Authentication credentials were not provided.; check runbooks.aap.token',
    );
    expect(error.message).not.toContain('wrong-token-123');
  });

  it('cancels a job AAP launched with ignored fields and names the setting', async () => {
    const aap = executor();
    await aap.execute(testContext({ input: { jobTemplate: 'Deploy' } }).ctx);
    // the template changes after the executor has cached it
    fake.addTemplate({
      ...templates[1],
      askVariablesOnLaunch: false,
      durationMs: 5000,
    });
    const { ctx } = testContext({
      input: { jobTemplate: 'Deploy', extraVars: { version: '2' } },
    });
    const error = await failure(aap.execute(ctx));
    expect(error.message).toBe(
      `Job template 'Deploy' (id 8) does not prompt for Variables: AAP ignored extra_vars of the launch, so job 101 was cancelled; enable "Prompt on launch" for Variables on the template in AAP`,
    );
    expect(fake.cancels).toEqual([101]);
  });

  it('re-attaches to the checkpointed job after a takeover, without launching', async () => {
    await fetch(`${fake.url}/api/v2/job_templates/8/launch/`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ limit: 'web1' }),
    });
    fake.launches.length = 0;
    const { ctx, messages } = testContext({
      input: { jobTemplate: 'Deploy' },
      checkpoints: new Map([['aap.job', { jobId: 100 }]]),
    });
    const result = await executor().execute(ctx);
    expect(result).toMatchObject({
      output: { jobId: 100, status: 'successful' },
    });
    expect(fake.launches).toHaveLength(0);
    expect(messages()).toContain('Re-attached to AAP job 100');
  });

  it('works behind the AAP 2.5 gateway, from config', async () => {
    const gateway = new FakeAwxServer({
      token: TOKEN,
      templates,
      apiPath: '/api/controller/v2/',
    });
    await gateway.start();
    try {
      const config = new ConfigReader({
        runbooks: {
          aap: {
            baseUrl: gateway.url,
            apiPath: '/api/controller/v2/',
            token: TOKEN,
            pollIntervalMs: 20,
          },
        },
      });
      const { ctx } = testContext({ input: { jobTemplate: 'Deploy' } });
      await expect(
        AapExecutor.fromConfig(config).execute(ctx),
      ).resolves.toMatchObject({
        output: { url: `${gateway.url}/execution/jobs/playbook/100/output` },
      });
      expect(gateway.launches).toHaveLength(1);
    } finally {
      await gateway.stop();
    }
  });
});
