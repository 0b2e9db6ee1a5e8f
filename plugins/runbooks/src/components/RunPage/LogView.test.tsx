import { RunLogLine } from '@fleetdeck/plugin-runbooks-common';
import { render, screen } from '@testing-library/react';
import { LogView } from './LogView';

describe('LogView', () => {
  it('keeps only the lines in view in the DOM for a 100,000-line log', () => {
    const lines: RunLogLine[] = Array.from({ length: 100_000 }, (_, i) => ({
      id: i + 1,
      runId: 'run-1',
      level: 'info',
      message: `line ${i + 1}`,
      createdAt: '2026-11-21T10:00:00Z',
    }));
    render(<LogView lines={lines} live />);
    expect(screen.getByText('100,000 lines · live')).toBeInTheDocument();
    const log = screen.getByRole('log', { name: 'Target log' });
    // Following: the last line is rendered, the first is not.
    expect(screen.getByText('line 100000')).toBeInTheDocument();
    expect(screen.queryByText('line 1')).not.toBeInTheDocument();
    expect(log.querySelectorAll('div > div > div').length).toBeLessThan(100);
  });
});
