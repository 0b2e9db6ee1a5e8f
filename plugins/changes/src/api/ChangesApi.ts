import { createApiRef } from '@backstage/core-plugin-api';
import {
  ChangeDetail,
  ChangeInput,
  ChangeState,
  ChangeSummary,
  SearchQuery,
  SearchResponse,
  TrustedRecipe,
} from '@fleetdeck/plugin-changes-common';

/** The query of `GET /changes`. @public */
export interface ListChangesQuery {
  /** Only changes that cover this entity. */
  entityRef?: string;
  state?: ChangeState;
  limit?: number;
  cursor?: string;
}

/** A page of changes, newest first. @public */
export interface ListChangesResponse {
  items: ChangeSummary[];
  nextCursor?: string;
}

/** The exact `git diff` of a change in one repository. @public */
export interface ChangeDiff {
  entityRef: string;
  diff: string;
}

/** What the changes frontend asks the changes backend (`/api/changes`). @public */
export interface ChangesApi {
  search(query: SearchQuery): Promise<SearchResponse>;
  listChanges(query?: ListChangesQuery): Promise<ListChangesResponse>;
  /** The recipes operators configured (`changes.recipes`), which a change may name instead of sending steps. */
  listRecipes(): Promise<TrustedRecipe[]>;
  /** Creates a change and starts its preview (nothing is pushed). */
  createChange(input: ChangeInput): Promise<ChangeSummary>;
  getChange(id: string): Promise<ChangeDetail>;
  getDiff(id: string, entityRef: string): Promise<ChangeDiff>;
  /** Pushes and opens pull requests; all previewed repositories unless `entityRefs`. */
  apply(id: string, entityRefs?: string[]): Promise<ChangeSummary>;
  /** An owner's approval of an apply someone else asked for. */
  approve(id: string, entityRefs: string[]): Promise<ChangeSummary>;
  cancel(id: string): Promise<ChangeSummary>;
  /** Closes every open pull request of the change. */
  close(id: string): Promise<ChangeSummary>;
  /** Rebuilds the branches whose base moved. */
  updateBranches(id: string): Promise<ChangeSummary>;
  /** Reads the pull requests' states from the hosts now. */
  refresh(id: string): Promise<ChangeSummary>;
}

/** The changes API. @public */
export const changesApiRef = createApiRef<ChangesApi>({
  id: 'plugin.changes.api',
});
