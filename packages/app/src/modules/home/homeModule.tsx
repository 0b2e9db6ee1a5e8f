import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Fleetdeck

The developer portal of Fleetdeck Bank's platform teams.

- **[Catalog](/catalog)**: every service, cluster, team and system, with its owner.
- **[Create](/create)**: a new microservice with its repository, pipeline and GitOps manifests, in one run.
- **Fleet**: the clusters the inventories report, by engine, version and environment.
- **Runbooks**: maintenance across the fleet, with dry-runs, approvals and live logs.
- **Deployments**: which commit runs where, and what production is missing.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Welcome to Fleetdeck',
    description: 'What the portal offers and where to find it',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
