import { FakeAwxServer } from '@fleetdeck/backend-test-utils';
import { failure, useFakeAap } from './__testUtils__/fakeAap';
import { testContext } from './__testUtils__/testContext';

// What reaches AAP comes from parameters and catalog data: none of it may
// widen a job's hosts or run as Jinja, and a template that would ignore it
// is refused before anything is launched.
describe('AapExecutor inputs', () => {
  const setup = useFakeAap();
  const executor = setup.executor;
  let fake: FakeAwxServer;
  beforeEach(() => {
    fake = setup.fake();
  });

  it('refuses a dry run of a template that does not prompt for the job type', async () => {
    const { ctx } = testContext({
      dryRun: true,
      input: { jobTemplate: 'Deploy' },
    });
    const error = await failure(executor().execute(ctx));
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      `Job template 'Deploy' (id 8) does not prompt for Job Type: a dry run cannot launch it as a check job; enable "Prompt on launch" for Job Type`,
    );
    expect(fake.launches).toHaveLength(0);
  });

  it('refuses a template that would ignore the limit, before launching', async () => {
    const { ctx } = testContext({ input: { jobTemplate: 'Fixed limit' } });
    const error = await failure(executor().execute(ctx));
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'does not prompt for Limit: the job would run on all of its inventory; enable "Prompt on launch" for Limit',
    );
    expect(fake.launches).toHaveLength(0);
  });

  it.each([
    ['all'],
    ['ALL'],
    ['ungrouped'],
    ['web*'],
    ['!web1'],
    ['web1:&db'],
    ['~web.*'],
    ['web1,db1'],
    ['web[0:9]'],
    ['web1 db1'],
    ['-e'],
    ['fe80::1'],
    [''],
  ])('refuses the hostile node %j', async node => {
    const { ctx } = testContext({
      nodes: ['web1', node],
      input: { jobTemplate: 'Deploy' },
    });
    const error = await failure(executor().execute(ctx));
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(`Invalid host '${node}' in the limit`);
    expect(fake.launches).toHaveLength(0);
  });

  it('refuses a hostile limit input', async () => {
    const { ctx } = testContext({
      input: { jobTemplate: 'Deploy', limit: 'web1,all' },
    });
    const error = await failure(executor().execute(ctx));
    expect(error.message).toContain(`Invalid host 'all' in the limit`);
    expect(fake.launches).toHaveLength(0);
  });

  it('refuses extra var names that change how Ansible connects', async () => {
    const { ctx } = testContext({
      input: {
        jobTemplate: 'Deploy',
        extraVars: { ansible_ssh_common_args: '-o ProxyCommand=id' },
      },
    });
    const error = await failure(executor().execute(ctx));
    expect(error.message).toContain(
      `Invalid extra var name 'ansible_ssh_common_args'`,
    );
    expect(fake.launches).toHaveLength(0);
  });

  describe('extra vars with Jinja', () => {
    const hostile = { service: { name: "{{ lookup('pipe','id') }}" } };

    it('refuses them when AAP templates extra vars', async () => {
      fake.allowJinjaInExtraVars = 'always';
      const { ctx } = testContext({
        input: { jobTemplate: 'Deploy', extraVars: hostile },
      });
      const error = await failure(executor().execute(ctx));
      expect(error.name).toBe('InputError');
      expect(error.message).toBe(
        `Refused extraVars.service.name: it holds a Jinja marker ({{, {% or {#) and AAP at ${fake.url} templates extra vars (ALLOW_JINJA_IN_EXTRA_VARS is always); extra vars must be data`,
      );
      expect(fake.launches).toHaveLength(0);
    });

    it('refuses them when the setting cannot be read', async () => {
      fake.settingsReadable = false;
      const { ctx } = testContext({
        input: { jobTemplate: 'Deploy', extraVars: { note: '{# x #}' } },
      });
      const error = await failure(executor().execute(ctx));
      expect(error.message).toContain('Refused extraVars.note');
      expect(error.message).toContain('settings/jobs/ unreadable');
      expect(fake.launches).toHaveLength(0);
    });

    it('sends them as data when AAP marks extra vars unsafe', async () => {
      const { ctx } = testContext({
        input: { jobTemplate: 'Deploy', extraVars: hostile },
      });
      await executor().execute(ctx);
      expect(fake.launches).toMatchObject([{ extraVars: hostile }]);
    });
  });
});
