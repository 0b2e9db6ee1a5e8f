import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `fleetdeck:changes:create`, shown in the action reference and run by its test. */
export const examples: TemplateExample[] = [
  {
    description:
      'Raise express to 4.21.2 in the package.json of every service a group owns',
    example: yaml.stringify({
      steps: [
        {
          id: 'change',
          action: 'fleetdeck:changes:create',
          name: 'Create the change',
          input: {
            title: 'express 4.21.2 (CVE-2024-43796)',
            description: 'Fixes an XSS in `res.redirect`.',
            targets: { owner: ['group:default/payments'] },
            recipe: [
              {
                type: 'setField',
                files: ['package.json'],
                path: 'dependencies.express',
                value: '4.21.2',
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      'Move the Dockerfiles of given services from Node 18 to Node 20, on a named branch, 4 repositories at a time',
    example: yaml.stringify({
      steps: [
        {
          id: 'change',
          action: 'fleetdeck:changes:create',
          name: 'Create the change',
          input: {
            title: 'Node 20 base images',
            targets: {
              entityRefs: [
                'component:default/payments-api',
                'component:default/ledger',
              ],
            },
            recipe: [
              {
                type: 'replace',
                files: ['Dockerfile', '**/Dockerfile'],
                pattern: '^FROM node:18(\\S*)',
                flags: 'm',
                replacement: 'FROM node:20$1',
              },
            ],
            branch: 'fleetdeck/node-20',
            concurrency: 4,
          },
        },
      ],
    }),
  },
  {
    description:
      'Add an .editorconfig to the services of a system with a recipe operators configured in changes.recipes (such recipes may run commands)',
    example: yaml.stringify({
      steps: [
        {
          id: 'change',
          action: 'fleetdeck:changes:create',
          name: 'Create the change',
          input: {
            title: 'Add an .editorconfig',
            targets: { system: ['system:default/payments-platform'] },
            recipeName: 'add-editorconfig',
          },
        },
      ],
    }),
  },
];
