import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `fleetdeck:service:preflight`, shown in the action reference and run by its test. */
export const examples: TemplateExample[] = [
  {
    description:
      'Check a new service that goes to the first configured git server and depends on a Kafka cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'preflight',
          action: 'fleetdeck:service:preflight',
          name: 'Check the new service',
          input: {
            name: 'payments-gateway',
            owner: 'group:default/payments',
            system: 'system:default/payments-platform',
            clusters: ['cluster:default/kafka-prod-01'],
            target: 'git',
          },
        },
      ],
    }),
  },
  {
    description: 'Check a new service that goes to GitHub',
    example: yaml.stringify({
      steps: [
        {
          id: 'preflight',
          action: 'fleetdeck:service:preflight',
          name: 'Check the new service',
          input: {
            name: 'card-vault',
            owner: 'group:default/cards',
            target: 'github',
            repoUrl: 'github.com?owner=fleetdeck-bank&repo=card-vault',
          },
        },
      ],
    }),
  },
];
