import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Fragment } from 'react';

/** Groups (approvers, owners) as links to their pages, by display name, comma-separated. */
export function GroupLinks(props: { refs: string[] }) {
  return (
    <>
      {props.refs.map((ref, i) => (
        <Fragment key={ref}>
          {i > 0 && ', '}
          <EntityRefLink entityRef={ref} defaultKind="group" />
        </Fragment>
      ))}
    </>
  );
}
