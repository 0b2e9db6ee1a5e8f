import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('greets a signed-out user with the Fleetdeck sign-in page', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Fleetdeck' },
            backend: { baseUrl: 'http://localhost:7007' },
            auth: { providers: { guest: {} } },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(
      await screen.findByRole('button', { name: 'Enter' }, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/Fleetdeck/).length).toBeGreaterThan(0);
  });
});
