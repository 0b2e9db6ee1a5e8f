import { buildChangeInput, emptyReplaceStep, initialDraft } from './draft';

describe('buildChangeInput', () => {
  it('turns a search prefill and a title into the POST /changes body', () => {
    const draft = initialDraft({
      entityRefs: ['component:default/a', 'component:default/b'],
      pattern: 'node:16',
      fixedString: true,
      files: ['Dockerfile'],
    });
    draft.title = ' Move to Node 20 ';
    if (draft.steps[0].type === 'replace')
      draft.steps[0].replacement = 'node:20';
    expect(buildChangeInput(draft)).toEqual({
      input: {
        title: 'Move to Node 20',
        description: '',
        targets: { entityRefs: ['component:default/a', 'component:default/b'] },
        recipe: [
          {
            type: 'replace',
            files: ['Dockerfile'],
            pattern: 'node:16',
            fixedString: true,
            flags: '',
            replacement: 'node:20',
          },
        ],
        concurrency: 8,
      },
    });
  });

  it('types a set-field value and reads a filter', () => {
    const draft = initialDraft();
    draft.title = 'Bump replicas';
    draft.targets.owner = 'group:default/payments, group:default/cards';
    draft.steps = [
      {
        type: 'setField',
        files: 'chart/values.yaml',
        path: 'replicaCount',
        value: '3',
        valueType: 'number',
        create: false,
      },
    ];
    const { input } = buildChangeInput(draft);
    expect(input?.targets).toEqual({
      owner: ['group:default/payments', 'group:default/cards'],
    });
    expect(input?.recipe?.[0]).toMatchObject({ value: 3 });
  });

  it('says what is missing', () => {
    const draft = initialDraft();
    draft.steps = [];
    expect(buildChangeInput(draft).errors).toEqual({
      title: 'A title is required',
      targets: expect.stringMatching(/at least one filter/),
      steps: 'Add at least one step',
    });
  });

  it("reports the shared schema's checks, such as globs leaving the repository", () => {
    const draft = initialDraft({ entityRefs: ['component:default/a'] });
    draft.title = 'x';
    draft.branch = 'bad..branch';
    draft.steps = [
      { ...emptyReplaceStep(), files: '../etc/passwd', pattern: 'a' },
    ];
    const { errors } = buildChangeInput(draft);
    expect(errors?.['steps.0.files']).toMatch(/inside the repository/);
    expect(errors?.branch).toBe('Not a valid git branch name');
  });

  it('sends the name of a configured recipe instead of steps, which then need no checks', () => {
    const draft = initialDraft({ entityRefs: ['component:default/a'] });
    draft.title = 'Add an .editorconfig';
    draft.recipeName = 'add-editorconfig';
    draft.steps = [emptyReplaceStep()];
    expect(buildChangeInput(draft)).toEqual({
      input: {
        title: 'Add an .editorconfig',
        description: '',
        targets: { entityRefs: ['component:default/a'] },
        recipeName: 'add-editorconfig',
        concurrency: 8,
      },
    });
  });
});
