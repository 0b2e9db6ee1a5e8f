import { PlainReviewHost } from './PlainReviewHost';

describe('PlainReviewHost', () => {
  const host = new PlainReviewHost();
  const input = {
    base: 'main',
    head: 'fleetdeck/bump-node',
    title: 't',
    body: 'b',
  };

  it('gives the link comparing the branches', async () => {
    const repo = {
      url: 'https://git.bank.example/team/payments.git',
      compareUrl: 'https://git.bank.example/{repo}/compare/{base}...{head}',
    };
    await expect(host.openPullRequest(repo, input)).resolves.toEqual({
      url: 'https://git.bank.example/team/payments/compare/main...fleetdeck/bump-node',
    });
    await expect(host.readPullRequest()).resolves.toBeUndefined();
  });

  it("gives the repository's page without a compare template", async () => {
    await expect(
      host.openPullRequest(
        {
          url: 'https://git.bank.example/a.git',
          webUrl: 'https://git.bank.example/a',
        },
        input,
      ),
    ).resolves.toEqual({ url: 'https://git.bank.example/a' });
  });
});
