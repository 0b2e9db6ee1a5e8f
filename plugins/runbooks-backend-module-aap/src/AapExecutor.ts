import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
  RunbookStepError,
} from '@fleetdeck/plugin-runbooks-node';
import { z } from 'zod';
import { AapClient, AapClientOptions, AapHttpError } from './AapClient';
import {
  AapJob,
  AapTemplate,
  launchSchema,
  parseAnswer,
  templatePageSchema,
  templateSchema,
} from './aapApi';
import { assertVarNames, findJinja, limitHosts } from './checkInput';
import { CANCEL_WAIT_MS, followJob } from './followJob';

/** Input of an `aap` step. */
export const aapInputSchema = z.object({
  /** The job template: its exact name, or its numeric id. */
  jobTemplate: z.union([z.string().min(1), z.number().int().positive()]),
  /** Sent as the launch's extra_vars: data, never templated by Ansible. */
  extraVars: z.record(z.string(), z.unknown()).optional(),
  /** Hosts to limit the job to; defaults to the target's `spec.nodes`. */
  limit: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
});

/** Options of the aap executor, from `runbooks.aap` config. */
export interface AapExecutorOptions extends AapClientOptions {
  /** Between two polls of a running job; default 1000. */
  pollIntervalMs?: number;
}

/** The "Prompt on launch" setting of a template that lets a launch set a field. */
const PROMPTS: Record<string, string> = {
  limit: 'Limit',
  extra_vars: 'Variables',
  job_type: 'Job Type',
};

const promptNeeded = (template: AapTemplate, field: string, why: string) =>
  new InputError(
    `Job template '${template.name}' (id ${template.id}) does not prompt for ${PROMPTS[field]}: ${why}; enable "Prompt on launch" for ${PROMPTS[field]} on the template in AAP`,
  );

/**
 * Launches an AWX / Ansible Automation Platform job template limited to the
 * target's hosts, follows the job with its output in the step log, and maps
 * its outcome. The launch is checkpointed: a takeover after a crash
 * re-attaches to the job instead of launching another.
 */
export class AapExecutor implements RunbookExecutor {
  readonly id = 'aap';
  readonly description =
    'Launches an AWX / Ansible Automation Platform job template on the target nodes (as a check job in dry runs)';

  private readonly client: AapClient;
  /** Lookups by id or name, shared by concurrent steps; failures are not kept. */
  private readonly templates = new Map<string, Promise<AapTemplate>>();
  private jinjaSetting?: Promise<string | undefined>;

  /** Reads `runbooks.aap`. */
  static fromConfig(config: Config): AapExecutor {
    const aap = config.getConfig('runbooks.aap');
    return new AapExecutor({
      baseUrl: aap.getString('baseUrl'),
      apiPath: aap.getOptionalString('apiPath') ?? '/api/v2/',
      token: aap.getString('token'),
      ca: aap.getOptionalString('ca'),
      pollIntervalMs: aap.getOptionalNumber('pollIntervalMs'),
      retries: aap.getOptionalNumber('retries') ?? 5,
    });
  }

  constructor(private readonly options: AapExecutorOptions) {
    this.client = new AapClient(options);
  }

  async execute(ctx: RunbookExecutorContext) {
    const parsed = aapInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid aap step input: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    const hosts = limitHosts(input.limit, ctx.target);
    const extraVars = input.extraVars ?? {};
    assertVarNames(extraVars);
    await this.assertNoJinja(extraVars, ctx.signal);
    if (ctx.signal.aborted) throw ctx.signal.reason;

    let launched = false;
    const { jobId } = await ctx.checkpoint({
      key: 'aap.job',
      fn: async () => {
        launched = true;
        return { jobId: await this.launch(ctx, input, hosts, extraVars) };
      },
    });
    if (!Number.isInteger(jobId)) {
      throw new Error(`The checkpoint aap.job holds no job id: ${jobId}`);
    }
    if (!launched) ctx.logger.info(`Re-attached to AAP job ${jobId}`);
    ctx.logger.info(`Job output: ${this.jobUrl(jobId)}`);
    const job = await followJob({
      client: this.client,
      jobId,
      logger: ctx.logger,
      signal: ctx.signal,
      pollIntervalMs: this.options.pollIntervalMs ?? 1000,
    });
    return this.result(job);
  }

  /**
   * AWX marks launch-time extra vars `!unsafe` (data Ansible never
   * templates) unless its ALLOW_JINJA_IN_EXTRA_VARS is `always`. When it is,
   * or the setting cannot be read, a Jinja marker in a value would run as
   * Jinja: refuse it.
   */
  private async assertNoJinja(
    vars: Record<string, unknown>,
    signal: AbortSignal,
  ) {
    const path = findJinja(vars);
    if (!path) return;
    const setting = await this.readJinjaSetting();
    if (signal.aborted) throw signal.reason;
    if (setting && setting !== 'always') return;
    throw new InputError(
      `Refused ${path}: it holds a Jinja marker ({{, {% or {#) and AAP at ${
        this.client.baseUrl
      } ${
        setting
          ? 'templates extra vars (ALLOW_JINJA_IN_EXTRA_VARS is always)'
          : 'did not say whether it templates extra vars (settings/jobs/ unreadable)'
      }; extra vars must be data`,
    );
  }

  /**
   * ALLOW_JINJA_IN_EXTRA_VARS, read once; undefined when the token may not
   * read it. Shared by concurrent steps, so bounded by its own timeout rather
   * than one step's signal.
   */
  private readJinjaSetting() {
    this.jinjaSetting ??= this.client
      .get('settings/jobs/', AbortSignal.timeout(60_000))
      .then(
        ({ data }) => {
          const value = (data as Record<string, unknown> | undefined)
            ?.ALLOW_JINJA_IN_EXTRA_VARS;
          return typeof value === 'string' ? value : undefined;
        },
        e => {
          // an answer is kept (403 for tokens of non-admins), an outage is not
          if (!(e instanceof AapHttpError)) this.jinjaSetting = undefined;
          return undefined;
        },
      );
    return this.jinjaSetting;
  }

  /**
   * Finds the template by id or exact name, cached for the executor's life
   * (cleared when AAP says it changed): the steps of a wave that start
   * together share one lookup.
   */
  private template(ref: string | number): Promise<AapTemplate> {
    const key =
      typeof ref === 'number' || /^\d+$/.test(ref)
        ? `id:${ref}`
        : `name:${ref}`;
    let lookup = this.templates.get(key);
    if (!lookup) {
      // shared by concurrent steps, so bounded by its own timeout rather
      // than one step's signal
      lookup = this.lookUpTemplate(ref, AbortSignal.timeout(60_000));
      this.templates.set(key, lookup);
      lookup.catch(() => {
        if (this.templates.get(key) === lookup) this.templates.delete(key);
      });
    }
    return lookup;
  }

  private async lookUpTemplate(
    ref: string | number,
    signal: AbortSignal,
  ): Promise<AapTemplate> {
    const byId = typeof ref === 'number' || /^\d+$/.test(ref);
    const unknown = () =>
      new InputError(
        `No job template ${
          byId ? `with id ${ref}` : `named '${ref}'`
        } in AAP at ${this.client.baseUrl}`,
      );
    let template: AapTemplate;
    if (byId) {
      const answer = await this.client
        .get(`job_templates/${ref}/`, signal)
        .catch(e => {
          throw e instanceof AapHttpError && e.status === 404 ? unknown() : e;
        });
      template = parseAnswer(templateSchema, answer.data, 'a job template');
    } else {
      const query = new URLSearchParams({ name: String(ref) });
      const { data } = await this.client.get(`job_templates/?${query}`, signal);
      const page = parseAnswer(templatePageSchema, data, 'job templates');
      const found = page.results.filter(t => t.name === ref);
      if (!found.length) throw unknown();
      if (found.length > 1) {
        throw new InputError(
          `${found.length} job templates are named '${ref}' in AAP at ${
            this.client.baseUrl
          }: give the id (${found.map(t => t.id).join(', ')})`,
        );
      }
      template = found[0];
    }
    return template;
  }

  /** Launches the job once the template is known to take what is sent. */
  private async launch(
    ctx: RunbookExecutorContext,
    input: z.infer<typeof aapInputSchema>,
    hosts: string[],
    extraVars: Record<string, unknown>,
  ): Promise<number> {
    const template = await this.template(input.jobTemplate);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const hasVars = Object.keys(extraVars).length > 0;
    if (!template.ask_limit_on_launch) {
      throw promptNeeded(
        template,
        'limit',
        'the job would run on all of its inventory',
      );
    }
    if (
      hasVars &&
      !template.ask_variables_on_launch &&
      !template.survey_enabled
    ) {
      throw promptNeeded(
        template,
        'extra_vars',
        'the extra vars would be dropped',
      );
    }
    if (ctx.dryRun && !template.ask_job_type_on_launch) {
      throw promptNeeded(
        template,
        'job_type',
        'a dry run cannot launch it as a check job',
      );
    }
    const body = {
      limit: hosts.join(','),
      ...(hasVars ? { extra_vars: extraVars } : {}),
      ...(ctx.dryRun ? { job_type: 'check' } : {}),
    };
    const path = `job_templates/${template.id}/launch/`;
    const answer = await this.client
      .post(path, { body, signal: ctx.signal, detached: true })
      .catch(e => {
        if (e instanceof AapHttpError && e.status === 404) {
          this.templates.clear();
        }
        throw e instanceof AapHttpError && e.status === 400
          ? new InputError(
              `AAP refused to launch job template '${template.name}': ${e.message}`,
            )
          : e;
      });
    const job = parseAnswer(launchSchema, answer.data, `POST ${path}`);
    const ignored = Object.keys(job.ignored_fields ?? {});
    if (ignored.length) {
      // it runs with the template's own values instead: stop it
      await this.client
        .post(`jobs/${job.id}/cancel/`, {
          signal: AbortSignal.timeout(CANCEL_WAIT_MS),
        })
        .catch(() => undefined);
      this.templates.clear();
      throw promptNeeded(
        template,
        ignored.find(f => f in PROMPTS) ?? ignored[0],
        `AAP ignored ${ignored.join(', ')} of the launch, so job ${
          job.id
        } was cancelled`,
      );
    }
    ctx.logger.info(
      `Launched AAP job ${job.id} from job template '${template.name}' (id ${
        template.id
      })${ctx.dryRun ? ' as a check job (dry run)' : ''}, limited to ${
        body.limit
      }`,
    );
    return job.id;
  }

  /** The job's page in the AAP UI. */
  private jobUrl(jobId: number) {
    const gateway = this.client.apiUrl.pathname.includes('/api/controller/');
    return gateway
      ? `${this.client.baseUrl}/execution/jobs/playbook/${jobId}/output`
      : `${this.client.baseUrl}/#/jobs/playbook/${jobId}/output`;
  }

  private result(job: AapJob) {
    const artifacts = job.artifacts ?? {};
    const output: Record<string, unknown> = {
      jobId: job.id,
      status: job.status,
      url: this.jobUrl(job.id),
      ...(Object.keys(artifacts).length ? { artifacts } : {}),
    };
    if (job.status === 'successful') return { output };
    if (job.status === 'canceled') {
      throw new RunbookStepError(`AAP job ${job.id} was cancelled in AAP`, {
        output,
      });
    }
    const explanation = job.job_explanation || undefined;
    throw new RunbookStepError(
      `AAP job ${job.id} ${
        job.status === 'error' ? 'ended in error' : 'failed'
      }${explanation ? `: ${explanation}` : ''}; see ${output.url}`,
      { output: { ...output, jobExplanation: explanation ?? '' } },
    );
  }
}
