import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { catalogModuleFleet } from '../module';
import { readVersionPolicy } from './readVersionPolicy';

jest.setTimeout(60_000);

const start = (versionPolicy: JsonObject) =>
  startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleFleet,
      mockServices.rootConfig.factory({
        data: {
          backend: {
            database: { client: 'better-sqlite3', connection: ':memory:' },
          },
          fleet: { versionPolicy },
        },
      }),
    ],
  });

describe('fleet.versionPolicy at startup', () => {
  it('starts the catalog with a valid policy', async () => {
    const backend = await start({
      kafka: { minimum: '3.7.0', endOfLife: ['3.5'], target: '3.8.0' },
    });
    expect(backend.server.listening).toBe(true);
    await backend.stop();
  });

  it('refuses to start with an unknown engine, naming the setting', async () => {
    await expect(start({ cassandra: { minimum: '4.1' } })).rejects.toThrow(
      /Invalid fleet\.versionPolicy\.cassandra: unknown engine "cassandra"/,
    );
  });

  it('refuses to start with a malformed version, naming the setting', async () => {
    await expect(
      start({ kafka: { minimum: '3.7.0', endOfLife: ['3.5.x'] } }),
    ).rejects.toThrow(
      /Invalid fleet\.versionPolicy\.kafka\.endOfLife\[0\]: "3\.5\.x" is not a version/,
    );
  });

  it('reads no policy as an empty one', () => {
    expect(readVersionPolicy(new ConfigReader({}))).toEqual({});
  });
});
