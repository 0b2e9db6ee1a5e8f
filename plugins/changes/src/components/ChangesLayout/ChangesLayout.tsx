import { Content } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Link, Outlet, useLocation } from 'react-router-dom';
import {
  changesRouteRef,
  changesSearchRouteRef,
  newChangeRouteRef,
} from '../../routes';

/** The tabs of the Changes page: the changes, code search, a new change. */
export function ChangesLayout() {
  const { pathname } = useLocation();
  const tabs = [
    { label: 'Changes', to: useRouteRef(changesRouteRef)() },
    { label: 'Search', to: useRouteRef(changesSearchRouteRef)() },
    { label: 'New change', to: useRouteRef(newChangeRouteRef)() },
  ];
  const trim = (p: string) => p.replace(/\/+$/, '');
  const current = tabs.findIndex(t => trim(t.to) === trim(pathname));
  return (
    <Content>
      <Box mb={2} borderBottom={1} borderColor="divider">
        <Tabs
          value={current === -1 ? 0 : current}
          indicatorColor="primary"
          textColor="primary"
          aria-label="Changes"
        >
          {tabs.map(t => (
            <Tab key={t.label} label={t.label} component={Link} to={t.to} />
          ))}
        </Tabs>
      </Box>
      <Outlet />
    </Content>
  );
}
