import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `fleetdeck:gitops:register`, shown in the action reference and run by its test. */
export const examples: TemplateExample[] = [
  {
    description:
      'Propose the rendered gitops/ directory to the configured GitOps repository on branch fleetdeck/add-payments-gateway',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'fleetdeck:gitops:register',
          name: 'Register with Argo CD',
          input: { service: 'payments-gateway', sourcePath: 'gitops' },
        },
      ],
    }),
  },
  {
    description:
      'Check first, before anything is published, that the change applies without conflicts',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops-check',
          action: 'fleetdeck:gitops:register',
          name: 'Check the GitOps repository',
          input: {
            service: 'payments-gateway',
            sourcePath: 'gitops',
            checkOnly: true,
          },
        },
      ],
    }),
  },
];
