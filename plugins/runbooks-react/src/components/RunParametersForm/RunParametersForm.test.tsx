import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { RunParametersForm } from './RunParametersForm';

const parameters = {
  type: 'object',
  required: ['version', 'strategy'],
  properties: {
    version: {
      type: 'string',
      title: 'Kafka version',
      pattern: '^\\d+\\.\\d+\\.\\d+$',
    },
    strategy: {
      type: 'string',
      title: 'Strategy',
      enum: ['rolling', 'all-at-once'],
    },
    adminPassword: {
      type: 'string',
      title: 'Admin password',
      'ui:field': 'Secret',
    },
  },
};

function Harness(props: { onSubmit(data: Record<string, unknown>): void }) {
  const [data, setData] = useState<Record<string, unknown>>({});
  return (
    <RunParametersForm
      parameters={parameters}
      formData={data}
      onChange={setData}
      onSubmit={props.onSubmit}
    >
      <button type="submit">Start</button>
    </RunParametersForm>
  );
}

describe('RunParametersForm', () => {
  it('renders fields from the schema and blocks invalid values with the field message', async () => {
    const onSubmit = jest.fn();
    render(<Harness onSubmit={onSubmit} />);

    const version = screen.getByLabelText(/Kafka version/);
    expect(screen.getByLabelText(/Admin password/)).toHaveAttribute(
      'type',
      'password',
    );
    // The enum is a select with its options.
    await userEvent.click(screen.getByRole('button', { name: /Strategy/ }));
    expect(screen.getByRole('option', { name: 'rolling' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('option', { name: 'all-at-once' }));

    await userEvent.type(version, '3.7');
    await userEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(
      await screen.findByText('does not match ^\\d+\\.\\d+\\.\\d+$'),
    ).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    await userEvent.type(version, '.1');
    await userEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(onSubmit).toHaveBeenCalledWith({
      version: '3.7.1',
      strategy: 'all-at-once',
    });
  });

  it('says which required field is missing', async () => {
    const onSubmit = jest.fn();
    render(<Harness onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(await screen.findAllByText('is required')).toHaveLength(2);
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
