/*
 * A legacy-frontend app's use of Fleetdeck, written from the plugin READMEs'
 * "Legacy frontend system" sections. scripts/adoption.sh copies it into the
 * stock app (packages/app/src/legacy/), whose tsc compiles it against the
 * packed packages' `/legacy` type declarations. Nothing mounts it: the stock
 * app runs the new frontend system, which discovers the plugins by itself.
 */
import { Route } from 'react-router-dom';
import { EntityLayout, EntitySwitch } from '@backstage/plugin-catalog';
import {
  ChangesPage,
  EntityChangesCard,
  isComponent as isChangesComponent,
} from '@fleetdeck/plugin-changes/legacy';
import {
  DriftPage,
  EntityDeploymentsContent,
  isComponent,
} from '@fleetdeck/plugin-deployments/legacy';
import {
  EntityClusterOverviewCard,
  EntityClustersOwnedCard,
  EntityDependencyClustersCard,
  FleetPage,
  dependsOnClusters,
  isClusterEntity,
  isGroupKind,
} from '@fleetdeck/plugin-fleet/legacy';
import {
  EntityLastMaintenanceCard,
  EntityRunbooksContent,
  RunbooksPage,
  isRunbookTarget,
} from '@fleetdeck/plugin-runbooks/legacy';

/** App.tsx: the pages. */
export const fleetdeckRoutes = [
  <Route key="fleet" path="/fleet" element={<FleetPage />} />,
  <Route key="runbooks" path="/runbooks" element={<RunbooksPage />} />,
  <Route key="deployments" path="/deployments" element={<DriftPage />} />,
  <Route key="changes" path="/changes" element={<ChangesPage />} />,
];

/** EntityPage.tsx: the cards of an overview tab, per kind. */
export const fleetdeckOverviewCards = (
  <EntitySwitch>
    <EntitySwitch.Case if={isClusterEntity}>
      <EntityClusterOverviewCard />
      <EntityLastMaintenanceCard />
    </EntitySwitch.Case>
    <EntitySwitch.Case if={isGroupKind}>
      <EntityClustersOwnedCard />
    </EntitySwitch.Case>
    <EntitySwitch.Case if={dependsOnClusters}>
      <EntityDependencyClustersCard />
    </EntitySwitch.Case>
    <EntitySwitch.Case if={isChangesComponent}>
      <EntityChangesCard />
    </EntitySwitch.Case>
  </EntitySwitch>
);

/** EntityPage.tsx: the tabs. */
export const fleetdeckEntityPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      {fleetdeckOverviewCards}
    </EntityLayout.Route>
    <EntityLayout.Route path="/runbooks" title="Runbooks" if={isRunbookTarget}>
      <EntityRunbooksContent />
    </EntityLayout.Route>
    <EntityLayout.Route
      path="/deployments"
      title="Deployments"
      if={isComponent}
    >
      <EntityDeploymentsContent />
    </EntityLayout.Route>
  </EntityLayout>
);
