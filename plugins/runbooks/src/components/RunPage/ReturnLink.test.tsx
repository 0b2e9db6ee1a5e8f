import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { ReturnLink, safeReturnPath } from './ReturnLink';

describe('ReturnLink', () => {
  it('links back to the Fleet page filter the run was started from', async () => {
    await renderInTestApp(<ReturnLink />, {
      routeEntries: [
        `/runbooks/runs/r1?${new URLSearchParams({
          from: '/fleet?engine=kafka&policy=outdated',
        })}`,
      ],
    });
    expect(
      screen.getByRole('link', {
        name: /Back to the clusters this run was started from/,
      }),
    ).toHaveAttribute('href', '/fleet?engine=kafka&policy=outdated');
  });

  it('shows nothing without a from parameter', async () => {
    await renderInTestApp(<ReturnLink />);
    expect(screen.queryByRole('link')).toBeNull();
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'fleet',
  ])('never leads off the portal (%s)', from =>
    expect(safeReturnPath(from)).toBeUndefined(),
  );
});
