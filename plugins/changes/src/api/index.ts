export {
  changesApiRef,
  type ChangeDiff,
  type ChangesApi,
  type ListChangesQuery,
  type ListChangesResponse,
} from './ChangesApi';
export { ChangesClient } from './ChangesClient';
