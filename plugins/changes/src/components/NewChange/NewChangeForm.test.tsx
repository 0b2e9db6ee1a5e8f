import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { changesApiRef } from '../../api/ChangesApi';
import { makeChange, mockChangesApi, mountedRoutes } from '../../testUtils';
import { NewChangeForm } from './NewChangeForm';

// pasting is as good as typing here, and fast enough for a long form
async function fill(label: string | RegExp, text: string) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.paste(text);
}

async function renderForm(api = mockChangesApi()) {
  await renderInTestApp(
    <TestApiProvider apis={[[changesApiRef, api]]}>
      <Routes>
        <Route path="/changes/new" element={<NewChangeForm />} />
        <Route path="/changes/:id" element={<div>tracking page</div>} />
      </Routes>
    </TestApiProvider>,
    { routeEntries: ['/changes/new'], mountedRoutes },
  );
  return api;
}

describe('NewChangeForm', () => {
  it('refuses an empty title, no targets and no steps', async () => {
    const api = await renderForm();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Preview' }),
    );
    expect(screen.getByText('A title is required')).toBeInTheDocument();
    expect(screen.getByText(/Set at least one filter/)).toBeInTheDocument();
    expect(
      screen.getByText('Which files? e.g. Dockerfile, **/*.yaml'),
    ).toBeInTheDocument();
    expect(screen.getByText('A pattern is required')).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Remove step 1' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(screen.getByText('Add at least one step')).toBeInTheDocument();
    expect(api.createChange).not.toHaveBeenCalled();
  });

  it('posts the ChangeInput the form describes and opens the change', async () => {
    const api = mockChangesApi();
    api.createChange.mockResolvedValue(
      makeChange({ id: 'c9', state: 'previewing' }),
    );
    await renderForm(api);
    await screen.findByLabelText(/Title/);

    await fill(/Title/, 'Pin image tags');
    await fill('Description', 'No more latest.');
    await fill('Owners', 'group:default/payments');
    await fill('Step 1 files', '**/Dockerfile');
    await fill('Step 1 pattern', ':latest$');
    await userEvent.click(screen.getByLabelText('Regular expression'));
    await userEvent.click(screen.getByLabelText('Ignore case'));
    await fill('Step 1 replacement', ':1.4.2');
    await userEvent.click(
      screen.getByRole('button', { name: 'Add set-field step' }),
    );
    await fill('Step 2 files', 'chart/values.yaml');
    await fill('Step 2 field path', 'image.tag');
    await fill('Step 2 value', '1.4.2');
    await userEvent.clear(screen.getByLabelText('Concurrency'));
    await fill('Concurrency', '4');
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));

    await waitFor(() =>
      expect(api.createChange).toHaveBeenCalledWith({
        title: 'Pin image tags',
        description: 'No more latest.',
        targets: { owner: ['group:default/payments'] },
        recipe: [
          {
            type: 'replace',
            files: ['**/Dockerfile'],
            pattern: ':latest$',
            fixedString: false,
            flags: 'i',
            replacement: ':1.4.2',
          },
          {
            type: 'setField',
            files: ['chart/values.yaml'],
            path: 'image.tag',
            value: '1.4.2',
            create: false,
          },
        ],
        concurrency: 4,
      }),
    );
    expect(await screen.findByText('tracking page')).toBeInTheDocument();
  });

  it('shows why the server refused the change', async () => {
    const api = mockChangesApi();
    api.createChange.mockRejectedValue(new Error('You may not create changes'));
    await renderForm(api);
    await screen.findByLabelText(/Title/);
    await fill(/Title/, 'x');
    await fill('Tags', 'java');
    await fill('Step 1 files', 'pom.xml');
    await fill('Step 1 pattern', 'a');
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(
        'Could not create the change: You may not create changes',
      ),
    ).toBeInTheDocument();
  });

  it('offers the configured recipes, shows the chosen one read-only and sends its name', async () => {
    const api = mockChangesApi();
    api.listRecipes.mockResolvedValue([
      {
        name: 'add-editorconfig',
        title: 'Add an .editorconfig',
        description: 'Where a repository has none.',
        steps: [
          {
            type: 'command',
            command: [
              'sh',
              '-c',
              "test -e .editorconfig || echo 'root = true'",
            ],
            timeoutSeconds: 60,
          },
        ],
      },
    ]);
    api.createChange.mockResolvedValue(
      makeChange({ id: 'c9', state: 'previewing' }),
    );
    await renderForm(api);

    // the steps editor stays the default
    const steps = await screen.findByRole('radio', { name: /^Steps/ });
    expect(steps).toBeChecked();
    expect(screen.getByLabelText('Step 1 pattern')).toBeInTheDocument();
    expect(
      screen.getByText('Where a repository has none.'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('radio', { name: /Add an \.editorconfig/ }),
    );
    expect(screen.queryByLabelText('Step 1 pattern')).not.toBeInTheDocument();
    expect(
      screen.getByText('Step 1: run a command (sandboxed, in the checkout)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        `sh -c 'test -e .editorconfig || echo '\\''root = true'\\'''`,
      ),
    ).toBeInTheDocument();

    await fill(/Title/, 'Add an .editorconfig');
    await fill('Owners', 'group:default/payments');
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() =>
      expect(api.createChange).toHaveBeenCalledWith({
        title: 'Add an .editorconfig',
        description: '',
        targets: { owner: ['group:default/payments'] },
        recipeName: 'add-editorconfig',
        concurrency: 8,
      }),
    );
    expect(await screen.findByText('tracking page')).toBeInTheDocument();
  });

  it('shows only the steps editor when no recipe is configured', async () => {
    const api = mockChangesApi();
    api.listRecipes.mockResolvedValue([]);
    await renderForm(api);
    expect(await screen.findByLabelText('Step 1 pattern')).toBeInTheDocument();
    await waitFor(() => expect(api.listRecipes).toHaveBeenCalled());
    expect(
      screen.queryByRole('radiogroup', { name: 'Recipe' }),
    ).not.toBeInTheDocument();
  });
});
