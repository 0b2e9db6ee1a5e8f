import { neighbourPairs, sortEnvironments } from './environments';
import { deploymentInputSchema } from './schema';

describe('environments', () => {
  it('orders by promotion order, unknown environments last', () => {
    expect(
      sortEnvironments(
        ['production', 'qa', 'dev', 'staging'],
        ['dev', 'staging', 'production'],
      ),
    ).toEqual(['dev', 'staging', 'production', 'qa']);
  });

  it('pairs each environment with the next one', () => {
    expect(neighbourPairs(['dev', 'staging', 'production'])).toEqual([
      { head: 'dev', base: 'staging' },
      { head: 'staging', base: 'production' },
    ]);
  });
});

describe('deploymentInputSchema', () => {
  it('accepts a pipeline body and lower-cases the SHA', () => {
    const parsed = deploymentInputSchema.parse({
      entityRef: 'component:default/payments-api',
      environment: 'production',
      commitSha: 'A'.repeat(40),
      deployedAt: '2026-01-02T03:04:05+01:00',
    });
    expect(parsed.commitSha).toBe('a'.repeat(40));
    expect(parsed.status).toBe('succeeded');
  });

  it('rejects short SHAs, unknown fields and non-http pipeline URLs', () => {
    const base = {
      entityRef: 'component:default/x',
      environment: 'dev',
      commitSha: 'abc1234',
    };
    expect(deploymentInputSchema.safeParse(base).success).toBe(false);
    const full = { ...base, commitSha: 'a'.repeat(40) };
    expect(deploymentInputSchema.safeParse({ ...full, x: 1 }).success).toBe(
      false,
    );
    expect(
      deploymentInputSchema.safeParse({
        ...full,
        pipelineUrl: 'ftp://ci.example/run/1',
      }).success,
    ).toBe(false);
  });

  it('never lets a recorded SHA reach git as an option or a revision expression', () => {
    // a recorded SHA becomes `git log --boundary <base>..<head>` and
    // `git cat-file -e <sha>^{commit}` (execFile, no shell): only hex passes
    for (const commitSha of [
      `--output=/tmp/pwned${'a'.repeat(30)}`,
      `$(touch /tmp/pwned)${'a'.repeat(22)}`,
      `${'a'.repeat(39)}^`,
      `HEAD~1${'a'.repeat(34)}`,
      `${'a'.repeat(20)}..${'b'.repeat(18)}`,
    ]) {
      expect(
        deploymentInputSchema.safeParse({
          entityRef: 'component:default/x',
          environment: 'dev',
          commitSha,
        }).success,
      ).toBe(false);
    }
  });
});
