import { createServiceFactory } from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { GitUrlReader } from './GitUrlReader';

/**
 * Adds {@link GitUrlReader} to the backend's URL readers, so that the catalog
 * reads services published by `publish:git`: `backend.add(gitUrlReaderFactory)`.
 *
 * @public
 */
export const gitUrlReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return GitUrlReader.factory;
  },
});
