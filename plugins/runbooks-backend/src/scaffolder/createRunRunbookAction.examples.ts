import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `runbooks:run`. */
export const examples: TemplateExample[] = [
  {
    description: 'Dry-run the Kafka rolling patch on one cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'patch',
          action: 'runbooks:run',
          name: 'Rolling patch (dry run)',
          input: {
            runbook: 'runbook:default/kafka-rolling-patch',
            targets: ['cluster:default/kafka-staging-01'],
            parameters: { version: '3.7.1' },
            dryRun: true,
            wait: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Rotate keys on every MongoDB cluster the runbook applies to, without waiting',
    example: yaml.stringify({
      steps: [
        {
          id: 'rotate',
          action: 'runbooks:run',
          name: 'Rotate MongoDB keys',
          input: { runbook: 'runbook:default/mongodb-key-rotation' },
        },
      ],
    }),
  },
];
