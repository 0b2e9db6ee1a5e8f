import { DiscoveryService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject, JsonValue } from '@backstage/types';
import { listenLocal } from '@fleetdeck/backend-test-utils';
import {
  changeInputSchema,
  ChangeSummary,
} from '@fleetdeck/plugin-changes-common';
import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import yaml from 'yaml';
import { createChangesCreateAction } from './createChange';
import { examples } from './createChange.examples';

const emma = mockCredentials.user('user:default/emma');

interface Received {
  method?: string;
  url?: string;
  authorization?: string;
  body: unknown;
}

/**
 * Stands in for the changes backend's `POST /api/changes/changes`: validates
 * the body as the real router does and answers a ChangeSummary, or the
 * error body of Backstage's error middleware.
 */
class FakeChangesApi {
  readonly received: Received[] = [];
  denied = false;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start() {
    await listenLocal(this.server);
  }

  stop() {
    return new Promise(resolve => this.server.close(resolve));
  }

  get baseUrl() {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/changes`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.received.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization,
      body,
    });
    const fail = (status: number, name: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { name, message },
          request: { method: req.method, url: req.url },
          response: { statusCode: status },
        }),
      );
    };
    if (req.method !== 'POST' || req.url !== '/api/changes/changes') {
      fail(404, 'NotFoundError', `No route for ${req.method} ${req.url}`);
      return;
    }
    if (this.denied) {
      fail(
        403,
        'NotAllowedError',
        'You may not do this (changes.change.create)',
      );
      return;
    }
    const parsed = changeInputSchema.safeParse(body);
    if (!parsed.success) {
      fail(400, 'InputError', parsed.error.message);
      return;
    }
    const id = randomUUID();
    const now = new Date().toISOString();
    const summary: ChangeSummary = {
      id,
      title: parsed.data.title,
      description: parsed.data.description,
      state: 'previewing',
      createdBy: 'user:default/emma',
      createdAt: now,
      updatedAt: now,
      branch: parsed.data.branch ?? `fleetdeck/change-${id.slice(0, 8)}`,
      concurrency: parsed.data.concurrency,
      counts: { pending: 2 },
      total: 2,
    };
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify(summary));
  }
}

describe('fleetdeck:changes:create', () => {
  const api = new FakeChangesApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());
  beforeEach(() => {
    api.received.length = 0;
    api.denied = false;
  });

  const discovery: DiscoveryService = {
    getBaseUrl: async pluginId => api.baseUrl.replace('changes', pluginId),
    getExternalBaseUrl: async pluginId =>
      `https://fleetdeck.example/api/${pluginId}`,
  };
  const action = createChangesCreateAction({
    auth: mockServices.auth(),
    discovery,
  });
  type Input = Parameters<typeof action.handler>[0]['input'];

  /** Runs the action as emma; `checkpoints` shared between runs act as a retried task. */
  async function run(
    input: JsonObject,
    options: { isDryRun?: boolean; checkpoints?: Map<string, JsonValue> } = {},
  ) {
    const checkpoints = options.checkpoints ?? new Map<string, JsonValue>();
    // the scaffolder validates against the JSON schema; the handler must not rely on it
    const mock = createMockActionContext({ input: input as Input });
    const outputs: Record<string, JsonValue> = {};
    await action.handler({
      ...mock,
      isDryRun: options.isDryRun,
      getInitiatorCredentials: async () => emma,
      output: (name: string, value: JsonValue) => {
        outputs[name] = value;
      },
      async checkpoint<T extends JsonValue | void>(opts: {
        key: string;
        fn: () => Promise<T> | T;
      }): Promise<T> {
        if (checkpoints.has(opts.key)) return checkpoints.get(opts.key) as T;
        const value = await opts.fn();
        checkpoints.set(opts.key, value as JsonValue);
        return value;
      },
    });
    return outputs;
  }

  const exampleInputs = examples.map(e => [
    e.description,
    yaml.parse(e.example).steps[0].input as JsonObject,
  ]);
  const [[, expressBump]] = exampleInputs as [string, JsonObject][];

  it.each(exampleInputs)('runs the example: %s', async (_, input) => {
    const outputs = await run(input as JsonObject);
    expect(api.received).toHaveLength(1);
    const [request] = api.received;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/api/changes/changes',
      // a token on behalf of the template's user, for the changes plugin
      authorization: mockCredentials.service.header({
        onBehalfOf: emma,
        targetPluginId: 'changes',
      }),
    });
    expect(request.body).toEqual(changeInputSchema.parse(input));
    const changeId = outputs.changeId as string;
    expect(changeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outputs).toEqual({ changeId, changeUrl: `/changes/${changeId}` });
  });

  it('creates one change when a retried task runs the step again', async () => {
    const checkpoints = new Map<string, JsonValue>();
    const first = await run(expressBump, { checkpoints });
    const again = await run(expressBump, { checkpoints });
    expect(api.received).toHaveLength(1);
    expect(again).toEqual(first);
  });

  it('validates the input in a dry run and outputs a placeholder, sending nothing', async () => {
    await expect(run(expressBump, { isDryRun: true })).resolves.toEqual({
      changeId: 'dry-run',
      changeUrl: '/changes/dry-run',
    });
    await expect(
      run({ ...expressBump, branch: 'fleetdeck/../main' }, { isDryRun: true }),
    ).rejects.toMatchObject({ name: 'InputError', message: /branch/ });
    await expect(
      run(
        {
          ...expressBump,
          recipe: [{ type: 'command', command: ['rm', '-rf', '.'] }],
        },
        { isDryRun: true },
      ),
    ).rejects.toThrow(
      /command steps run only in changes from a trusted source/,
    );
    expect(api.received).toHaveLength(0);
  });

  it('sends the name of a recipe configured in changes.recipes instead of steps', async () => {
    const { recipe, ...rest } = expressBump;
    const outputs = await run({ ...rest, recipeName: 'add-editorconfig' });
    expect(api.received).toHaveLength(1);
    expect(api.received[0].body).toEqual(
      changeInputSchema.parse({ ...rest, recipeName: 'add-editorconfig' }),
    );
    expect(api.received[0].body).not.toHaveProperty('recipe');
    expect(outputs.changeId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(run(rest, { isDryRun: true })).rejects.toMatchObject({
      name: 'InputError',
      message: /give either recipe \(the steps\) or recipeName/,
    });
    await expect(
      run({ ...rest, recipeName: '../x' }, { isDryRun: true }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: /a recipe name is lowercase letters and digits/,
    });
  });

  it("fails the step with the API's message when the user may not create changes", async () => {
    api.denied = true;
    await expect(run(expressBump)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'The changes API refused the change (403); caused by NotAllowedError: You may not do this (changes.change.create)',
    });
    expect(api.received).toHaveLength(1);
  });
});
