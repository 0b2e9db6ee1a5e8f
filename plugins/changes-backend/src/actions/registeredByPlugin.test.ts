import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { changesPlugin } from '../plugin';

describe('the changes plugin', () => {
  it('serves its actions through the actions registry, to authenticated callers', async () => {
    const backend = await startTestBackend({
      features: [changesPlugin, catalogServiceMock.factory({ entities: [] })],
    });
    try {
      const list = await request(backend.server)
        .get('/api/changes/.backstage/actions/v1/actions')
        .set('Authorization', mockCredentials.user.header());
      expect(list.status).toBe(200);
      expect(list.body.actions.map((a: { id: string }) => a.id)).toEqual([
        'changes:search-code',
        'changes:create-change',
        'changes:get-change-preview',
      ]);
      const invoke = await request(backend.server)
        .post(
          '/api/changes/.backstage/actions/v1/actions/changes:search-code/invoke',
        )
        .set('Authorization', mockCredentials.user.header())
        .send({ query: 'express' });
      expect(invoke.status).toBe(200);
      expect(invoke.body.output).toMatchObject({
        searched: 0,
        totalMatches: 0,
      });
    } finally {
      await backend.stop();
    }
  });
});
