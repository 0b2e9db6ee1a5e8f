import { ResponseError } from '@backstage/errors';
import { ChangesClient } from './ChangesClient';

function setup(status = 200, body: unknown = {}) {
  const fetch = jest.fn(
    async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const client = new ChangesClient({
    discoveryApi: { getBaseUrl: async () => 'http://portal/api/changes' },
    fetchApi: { fetch },
  });
  const call = (i = 0) => ({
    url: fetch.mock.calls[i][0],
    method: fetch.mock.calls[i][1]?.method,
    body: fetch.mock.calls[i][1]?.body
      ? JSON.parse(String(fetch.mock.calls[i][1]?.body))
      : undefined,
  });
  return { client, call };
}

describe('ChangesClient', () => {
  it('calls every route of the API with the right method, path and body', async () => {
    const { client, call } = setup();
    const base = 'http://portal/api/changes';
    await client.search({ query: 'log4j', regex: false });
    await client.listChanges({ entityRef: 'component:default/a', limit: 5 });
    await client.createChange({
      title: 't',
      targets: { owner: ['group:default/x'] },
      recipe: [{ type: 'setField', files: ['a.yaml'], path: 'a', value: 1 }],
    });
    await client.getChange('c 1');
    await client.getDiff('c1', 'component:default/a');
    await client.apply('c1');
    await client.apply('c1', ['component:default/a']);
    await client.approve('c1', ['component:default/a']);
    await client.cancel('c1');
    await client.close('c1');
    await client.updateBranches('c1');
    await client.refresh('c1');
    await client.createChange({
      title: 't',
      targets: { owner: ['group:default/x'] },
      recipeName: 'add-editorconfig',
    });

    expect([0, 1, 2, 3, 4].map(i => [call(i).method, call(i).url])).toEqual([
      ['POST', `${base}/search`],
      ['GET', `${base}/changes?entityRef=component%3Adefault%2Fa&limit=5`],
      ['POST', `${base}/changes`],
      ['GET', `${base}/changes/c%201`],
      ['GET', `${base}/changes/c1/diff?entityRef=component%3Adefault%2Fa`],
    ]);
    expect(call(0).body).toEqual({ query: 'log4j', regex: false });
    expect(call(2).body.title).toBe('t');
    expect(
      [5, 6, 7, 8, 9, 10, 11].map(i => [
        call(i).method,
        call(i).url,
        call(i).body,
      ]),
    ).toEqual([
      ['POST', `${base}/changes/c1/apply`, {}],
      [
        'POST',
        `${base}/changes/c1/apply`,
        { entityRefs: ['component:default/a'] },
      ],
      [
        'POST',
        `${base}/changes/c1/approve`,
        { entityRefs: ['component:default/a'] },
      ],
      ['POST', `${base}/changes/c1/cancel`, {}],
      ['POST', `${base}/changes/c1/close`, {}],
      ['POST', `${base}/changes/c1/update-branches`, {}],
      ['POST', `${base}/changes/c1/refresh`, {}],
    ]);
    expect(call(12).body).toEqual({
      title: 't',
      targets: { owner: ['group:default/x'] },
      recipeName: 'add-editorconfig',
    });
  });

  it('lists the configured recipes', async () => {
    const recipe = {
      name: 'add-editorconfig',
      title: 'Add an .editorconfig',
      steps: [
        { type: 'command', command: ['sh', '-c', 'true'], timeoutSeconds: 60 },
      ],
    };
    const { client, call } = setup(200, { items: [recipe] });
    await expect(client.listRecipes()).resolves.toEqual([recipe]);
    expect([call(0).method, call(0).url]).toEqual([
      'GET',
      'http://portal/api/changes/recipes',
    ]);
  });

  it("throws a ResponseError carrying the server's message", async () => {
    const { client } = setup(403, {
      error: { name: 'NotAllowedError', message: 'You may not apply this' },
      response: { statusCode: 403 },
    });
    const failure = client.apply('c1');
    await expect(failure).rejects.toBeInstanceOf(ResponseError);
    await expect(failure).rejects.toMatchObject({
      statusCode: 403,
      body: { error: { message: 'You may not apply this' } },
    });
  });
});
