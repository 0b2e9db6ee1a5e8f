import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `publish:git`, shown in the portal's action reference and run by its test. */
export const examples: TemplateExample[] = [
  {
    description:
      'Push the rendered service to the first configured git server as <baseUrl>/payments-gateway.git',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'publish:git',
          name: 'Publish to the git server',
          input: { repo: 'payments-gateway', sourcePath: 'service' },
        },
      ],
    }),
  },
  {
    description:
      'Push to a named server on branch trunk, with an explicit commit message',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'publish:git',
          name: 'Publish to the on-prem server',
          input: {
            server: 'onprem',
            repo: 'cards/card-vault',
            defaultBranch: 'trunk',
            gitCommitMessage:
              'Create card-vault from the Microservice template',
          },
        },
      ],
    }),
  },
];
