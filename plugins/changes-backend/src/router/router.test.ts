import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { changesPlugin } from '../plugin';

const command = ['sh', '-c', "printf 'root = true\\n' > .editorconfig"];
const recipes = {
  'node-20': {
    title: 'Node 20',
    steps: [
      {
        type: 'replace',
        files: ['Dockerfile'],
        pattern: 'node:18',
        fixedString: true,
        replacement: 'node:20',
      },
    ],
  },
  'add-editorconfig': {
    title: 'Add an .editorconfig',
    description: 'Where one is missing.',
    steps: [{ type: 'command', command }],
  },
};

describe('the changes API', () => {
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'changes-router-'));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  /** The plugin with `changes.recipes`; `denied` names the permissions every caller lacks. */
  function start(config: JsonObject, denied: string[] = []) {
    return startTestBackend({
      features: [
        changesPlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: { changes: { workDir, ...config } },
        }),
        mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(r => ({
              result: denied.includes(r.permission.name)
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
            })),
        }).factory,
      ],
    });
  }

  it('lists the configured recipes at GET /recipes, to who may read changes', async () => {
    const backend = await start({ recipes });
    try {
      const res = await request(backend.server)
        .get('/api/changes/recipes')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            name: 'add-editorconfig',
            title: 'Add an .editorconfig',
            description: 'Where one is missing.',
            steps: [{ type: 'command', command, timeoutSeconds: 60 }],
          },
          {
            name: 'node-20',
            title: 'Node 20',
            steps: [{ ...recipes['node-20'].steps[0], flags: '' }],
          },
        ],
      });
    } finally {
      await backend.stop();
    }
  });

  it('answers an empty list without changes.recipes', async () => {
    const backend = await start({});
    try {
      const res = await request(backend.server)
        .get('/api/changes/recipes')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [] });
    } finally {
      await backend.stop();
    }
  });

  it('refuses GET /recipes without changes.change.read', async () => {
    const backend = await start({ recipes }, ['changes.change.read']);
    try {
      const res = await request(backend.server)
        .get('/api/changes/recipes')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: 'You may not do this (changes.change.read)',
      });
    } finally {
      await backend.stop();
    }
  });

  it('refuses with 400 a change that sends command steps itself, or names no recipe it knows', async () => {
    const backend = await start({ recipes });
    try {
      const post = (body: object) =>
        request(backend.server)
          .post('/api/changes/changes')
          .set('Authorization', mockCredentials.user.header())
          .send({
            title: 'x',
            targets: { owner: ['group:default/a'] },
            ...body,
          });
      const inline = await post({ recipe: recipes['add-editorconfig'].steps });
      expect(inline.status).toBe(400);
      expect(inline.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          /^command steps run only in changes from a trusted source/,
        ),
      });
      const unknown = await post({ recipeName: 'rm-everything' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe(
        'No recipe named "rm-everything" in changes.recipes; the configured recipes are add-editorconfig, node-20',
      );
      const hostile = await post({ recipeName: '../x' });
      expect(hostile.status).toBe(400);
      expect(hostile.body.error.message).toMatch(
        /a recipe name is lowercase letters and digits joined by single dashes[\s\S]*at recipeName/,
      );
      const both = await post({
        recipe: recipes['node-20'].steps,
        recipeName: 'node-20',
      });
      expect(both.status).toBe(400);
      expect(both.body.error.message).toMatch(
        /give either recipe \(the steps\) or recipeName \(a configured recipe\), not both/,
      );
      const neither = await post({});
      expect(neither.status).toBe(400);
      expect(neither.body.error.message).toMatch(
        /give either recipe \(the steps\) or recipeName/,
      );
    } finally {
      await backend.stop();
    }
  });

  it('does not start with an invalid recipe, naming it and the problem', async () => {
    await expect(
      start({
        recipes: {
          ...recipes,
          'add-editorconfig': {
            title: 'Add an .editorconfig',
            steps: [{ type: 'command', command: 'touch .editorconfig' }],
          },
        },
      }),
    ).rejects.toThrow(
      /Invalid recipe changes\.recipes\.add-editorconfig: steps\.0\.command: Invalid input: expected array, received string/,
    );
  });
});
