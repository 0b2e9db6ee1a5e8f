/** A JSON value, as AWX sends and receives it. @public */
export type FakeAwxJson =
  | string
  | number
  | boolean
  | null
  | FakeAwxJson[]
  | { [key: string]: FakeAwxJson };

/** How one host fares in every task of a fake job. @public */
export type FakeAwxHostResult = 'ok' | 'changed' | 'failed' | 'unreachable';

/** A job template of the fake AWX, and how its jobs run. @public */
export interface FakeAwxTemplate {
  id: number;
  name: string;
  /** "Prompt on launch" for Limit, Variables and Job Type (all default false). */
  askLimitOnLaunch?: boolean;
  askVariablesOnLaunch?: boolean;
  askJobTypeOnLaunch?: boolean;
  /** Task names; each gives a task-start event and one event per host. Default `['ping']`. */
  tasks?: string[];
  /** Hosts when the job has no limit. Default `['localhost']`. */
  inventoryHosts?: string[];
  /** Result per host (default `ok`); a failed or unreachable host fails the job. */
  hostResults?: Record<string, FakeAwxHostResult>;
  /** Overrides the final status derived from the host results. */
  finalStatus?: 'successful' | 'failed' | 'error';
  /** `job_explanation` of a job that did not succeed. */
  jobExplanation?: string;
  /** From launch to finish, in ms; events are spread over it. Default 200. */
  durationMs?: number;
  /** How long after finishing `event_processing_finished` turns true. Default 0. */
  eventLagMs?: number;
  /** What `set_stats` would have produced. */
  artifacts?: Record<string, FakeAwxJson>;
}

/** An event of a fake job, in AWX's `job_events` shape. @public */
export interface FakeAwxEvent {
  id: number;
  type: 'job_event';
  job: number;
  counter: number;
  event: string;
  stdout: string;
  host_name: string;
  task: string;
  failed: boolean;
  changed: boolean;
  created: string;
}

const color = (code: number, text: string) =>
  `\u001b[0;${code}m${text}\u001b[0m`;

/** The event and stdout line of a host's task result, as Ansible prints them. */
const RESULT_LINES: Record<
  FakeAwxHostResult,
  (host: string, task: string) => [string, string]
> = {
  ok: host => ['runner_on_ok', color(32, `ok: [${host}]`)],
  changed: host => ['runner_on_ok', color(33, `changed: [${host}]`)],
  failed: (host, task) => [
    'runner_on_failed',
    color(31, `fatal: [${host}]: FAILED! => {"msg": "${task} failed"}`),
  ],
  unreachable: host => [
    'runner_on_unreachable',
    color(31, `fatal: [${host}]: UNREACHABLE! => {"changed": false}`),
  ],
};

const RECAP: Record<FakeAwxHostResult, string> = {
  ok: 'ok=1 changed=0 unreachable=0 failed=0',
  changed: 'ok=1 changed=1 unreachable=0 failed=0',
  failed: 'ok=0 changed=0 unreachable=0 failed=1',
  unreachable: 'ok=0 changed=0 unreachable=1 failed=0',
};

/** A template as `GET job_templates/<id>/` shows it. */
export function templateJson(t: FakeAwxTemplate, apiPath: string) {
  return {
    id: t.id,
    type: 'job_template',
    url: `${apiPath}job_templates/${t.id}/`,
    name: t.name,
    description: '',
    job_type: 'run',
    limit: '',
    extra_vars: '---',
    ask_limit_on_launch: t.askLimitOnLaunch ?? false,
    ask_variables_on_launch: t.askVariablesOnLaunch ?? false,
    ask_job_type_on_launch: t.askJobTypeOnLaunch ?? false,
  };
}

/**
 * One launched job of the fake: its events are laid out at launch and
 * released over `durationMs`; it is pending for the first tenth of it (at
 * most 100 ms), then running, then finished with the template's outcome.
 */
export class FakeAwxJob {
  readonly launchedAt = Date.now();
  private canceledAt?: number;
  private readonly events: Array<FakeAwxEvent & { releaseAt: number }>;
  private readonly finalStatus: 'successful' | 'failed' | 'error';

  constructor(
    readonly id: number,
    readonly template: FakeAwxTemplate,
    readonly limit: string,
    readonly extraVars: Record<string, FakeAwxJson>,
    readonly jobType: string,
  ) {
    const hosts = limit ? limit.split(',') : template.inventoryHosts;
    const results = (hosts ?? ['localhost']).map(
      host => [host, template.hostResults?.[host] ?? 'ok'] as const,
    );
    const raw = this.plan(results);
    this.events = raw.map((e, i) => {
      const releaseAt =
        this.launchedAt + ((i + 1) / raw.length) * this.duration;
      const created = new Date(releaseAt).toISOString();
      return {
        ...{ id: id * 1000 + i + 1, type: 'job_event', job: id },
        ...{ counter: i + 1, event: '', stdout: '', host_name: '', task: '' },
        ...{ failed: false, changed: false, ...e, created, releaseAt },
      };
    });
    const bad = results.some(([, r]) => r === 'failed' || r === 'unreachable');
    this.finalStatus = template.finalStatus ?? (bad ? 'failed' : 'successful');
  }

  private get duration() {
    return this.template.durationMs ?? 200;
  }

  /** The events ansible-runner would emit, in counter order. */
  private plan(results: ReadonlyArray<readonly [string, FakeAwxHostResult]>) {
    const stars = '*'.repeat(40);
    const name = this.template.name;
    const raw: Array<Partial<FakeAwxEvent>> = [
      { event: 'playbook_on_start' },
      {
        event: 'playbook_on_play_start',
        stdout: `\r\nPLAY [${name}] ${stars}`,
      },
    ];
    for (const task of this.template.tasks ?? ['ping']) {
      const stdout = `\r\nTASK [${task}] ${stars}`;
      raw.push({ event: 'playbook_on_task_start', task, stdout });
      for (const [host, result] of results) {
        const [event, line] = RESULT_LINES[result](host, task);
        const failed = result === 'failed' || result === 'unreachable';
        const changed = result === 'changed';
        raw.push({
          event,
          task,
          host_name: host,
          failed,
          changed,
          stdout: line,
        });
      }
    }
    const recap = results.map(([host, r]) => `${host} : ${RECAP[r]}`);
    const stdout = `\r\nPLAY RECAP ${stars}\r\n${recap.join('\r\n')}`;
    raw.push({ event: 'playbook_on_stats', stdout });
    return raw;
  }

  get status() {
    if (this.canceledAt !== undefined) return 'canceled';
    const elapsed = Date.now() - this.launchedAt;
    if (elapsed < Math.min(this.duration / 10, 100)) return 'pending';
    return elapsed < this.duration ? 'running' : this.finalStatus;
  }

  get canCancel() {
    return ['pending', 'running'].includes(this.status);
  }

  cancel() {
    this.canceledAt = Date.now();
  }

  /** The events emitted so far with a counter above `after`. */
  eventsAfter(after: number, apiPath: string): FakeAwxJson[] {
    const until = this.canceledAt ?? Date.now();
    return this.events
      .filter(e => e.releaseAt <= until && e.counter > after)
      .map(({ releaseAt: _, ...e }) => ({
        ...e,
        url: `${apiPath}job_events/${e.id}/`,
      }));
  }

  /** The job as `GET jobs/<id>/` shows it. */
  toJson(apiPath: string) {
    const { status, template: t } = this;
    const done = !['pending', 'running'].includes(status);
    const endAt = this.canceledAt ?? this.launchedAt + this.duration;
    const lag = this.canceledAt ? 0 : t.eventLagMs ?? 0;
    return {
      id: this.id,
      type: 'job',
      url: `${apiPath}jobs/${this.id}/`,
      related: {
        job_events: `${apiPath}jobs/${this.id}/job_events/`,
        cancel: `${apiPath}jobs/${this.id}/cancel/`,
      },
      name: t.name,
      job_template: t.id,
      status,
      failed: status === 'failed' || status === 'error',
      started: new Date(this.launchedAt).toISOString(),
      finished: done ? new Date(endAt).toISOString() : null,
      job_type: this.jobType,
      launch_type: 'manual',
      limit: this.limit,
      extra_vars: JSON.stringify(this.extraVars),
      job_explanation:
        status === 'successful' || !done ? '' : t.jobExplanation ?? '',
      artifacts: done && status !== 'canceled' ? t.artifacts ?? {} : {},
      event_processing_finished: done && Date.now() >= endAt + lag,
    };
  }
}
