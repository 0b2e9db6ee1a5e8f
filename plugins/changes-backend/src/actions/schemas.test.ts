import {
  changeInputSchema,
  entityFilterSchema,
  replaceStepSchema,
  searchQuerySchema,
  setFieldStepSchema,
} from '@fleetdeck/plugin-changes-common';
import { z } from 'zod/v3';
import {
  changeInput,
  entityFilterInput,
  recipeStepInput,
  searchQueryInput,
} from './schemas';

const keys = (schema: { shape: object }) => Object.keys(schema.shape).sort();

describe('the schemas the actions show their callers', () => {
  it('describe every field of the common schemas, so that none is dropped before validation', () => {
    expect(keys(entityFilterInput(z))).toEqual(keys(entityFilterSchema));
    expect(keys(searchQueryInput(z))).toEqual(keys(searchQuerySchema));
    expect(keys(changeInput(z))).toEqual(keys(changeInputSchema));
    const [replace, setField] = recipeStepInput(z).options;
    expect(keys(replace)).toEqual(keys(replaceStepSchema));
    expect(keys(setField)).toEqual(keys(setFieldStepSchema));
  });

  it('pass through what the common schemas accept', () => {
    const input = {
      title: 'express 4.21.2',
      targets: { owner: ['group:default/payments'] },
      recipe: [
        {
          type: 'setField',
          files: ['package.json'],
          path: 'dependencies.express',
          value: '4.21.2',
        },
        {
          type: 'replace',
          files: ['Dockerfile'],
          pattern: '^FROM node:18',
          flags: 'm',
          replacement: 'FROM node:20',
        },
      ],
      branch: 'fleetdeck/express',
    };
    const described = changeInput(z).parse(input);
    expect(changeInputSchema.parse(described)).toEqual(
      changeInputSchema.parse(input),
    );
  });
});
