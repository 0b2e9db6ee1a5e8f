import { refreshMessage } from './refreshMessage';

describe('refreshMessage', () => {
  it('names the first 20 problems of a large inventory and counts the rest, so the status entity and log line stay small', () => {
    const problems = Array.from(
      { length: 20_000 },
      (_, i) =>
        `group c${i} (hosts.yml): spec.owner: group:default/sre is not a Group or User in the catalog`,
    );
    const message = refreshMessage({
      clusters: 20_000,
      source: 'hosts.yml',
      removed: 0,
      problems,
      waiting: new Set(),
      recheckMs: 15_000,
    });
    expect(message).toMatch(
      /^20000 clusters from hosts\.yml; 20000 problems: group c0 \(hosts\.yml\): spec\.owner: .*; group c19 \(hosts\.yml\).* and 19980 more$/,
    );
    expect(message).not.toContain('group c20 ');
    expect(message.length).toBeLessThan(3_000);
  });
});
