import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { cluster, runbook } from '../engine/testUtils';
import { startTestRouter } from './__testUtils__/testRouter';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('runs list on %s', databaseId => {
  it('answers a malformed cursor with 400, and pages with the cursor it gave', async () => {
    const api = await startTestRouter({
      knex: await databases.init(databaseId),
      entities: [runbook('kafka-patch'), cluster('kafka-001')],
    });
    try {
      for (let i = 0; i < 3; i++) {
        await request(api.url)
          .post('/runs')
          .send({ runbookRef: 'kafka-patch', targets: ['kafka-001'] })
          .expect(201);
      }
      for (const cursor of ['garbage', 'MTIzfA', '%00', 'x'.repeat(201)]) {
        const res = await request(api.url).get('/runs').query({ cursor });
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
      }
      const first = await request(api.url).get('/runs?limit=2').expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await request(api.url)
        .get('/runs')
        .query({ limit: 2, cursor: first.body.nextCursor })
        .expect(200);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeUndefined();
    } finally {
      await api.stop();
    }
  });
});
