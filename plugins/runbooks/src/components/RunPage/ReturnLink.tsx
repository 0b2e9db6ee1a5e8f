import { Link } from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';

/** An in-app path only: no scheme, no other host (`//x`, `/\x`). */
export function safeReturnPath(from: string | null): string | undefined {
  if (!from || !from.startsWith('/')) return undefined;
  if (from.startsWith('//') || from.startsWith('/\\')) return undefined;
  return from;
}

/**
 * Leads back to the page the run was started from (the run page's `from`
 * query parameter, e.g. the Fleet page with the filter that chose the targets).
 */
export function ReturnLink() {
  const [params] = useSearchParams();
  const from = safeReturnPath(params.get('from'));
  if (!from) return null;
  return (
    <Link to={from} data-testid="run-return-link">
      ← Back to the clusters this run was started from
    </Link>
  );
}
