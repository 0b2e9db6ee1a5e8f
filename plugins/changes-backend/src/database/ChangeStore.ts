import { NotFoundError } from '@backstage/errors';
import {
  ChangeDetail,
  ChangeRepository,
  ChangeRepositoryState,
  ChangeState,
  ChecksState,
  EntityFilter,
  Recipe,
} from '@fleetdeck/plugin-changes-common';
import { Knex } from 'knex';
import {
  ClaimedRepository,
  claimRepositories,
  ClaimOptions,
} from './claimRepositories';
import { ChangePage, listChanges, ListChangesOptions } from './listChanges';
import {
  ChangeRow,
  repositoryColumns,
  RepositoryRow,
  toRepository,
  toSummary,
} from './rows';

export type { ClaimedRepository } from './claimRepositories';

/** A repository a new change covers, as target resolution found it. */
export interface NewRepository {
  entityRef: string;
  repoUrl: string;
  webUrl?: string;
  /** `failed` with `error` when the repository could not be resolved. */
  error?: string;
}

/** What a worker writes when it is done with a row. */
export interface RepositoryPatch {
  state: ChangeRepositoryState;
  defaultBranch?: string;
  baseSha?: string;
  files?: { path: string; added: number; removed: number }[];
  diff?: string;
  commitSha?: string;
  prNumber?: number;
  prUrl?: string;
  prEtag?: string;
  checks?: ChecksState | null;
  error?: string | null;
}

const CHUNK = 200;

/**
 * Changes and their per-repository rows. Workers claim rows with a
 * conditional update (state and claim checked in the same statement), so two
 * replicas never hold one row; a claim whose heartbeat went stale may be
 * taken over.
 */
export class ChangeStore {
  constructor(private readonly db: Knex) {}

  async create(change: {
    id: string;
    title: string;
    description: string;
    createdBy: string;
    branch: string;
    concurrency: number;
    targets: EntityFilter;
    recipe: Recipe;
    trusted: boolean;
    repositories: NewRepository[];
  }): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async trx => {
      await trx<ChangeRow>('changes').insert({
        id: change.id,
        title: change.title,
        description: change.description,
        state: change.repositories.some(r => !r.error) ? 'previewing' : 'ready',
        created_by: change.createdBy,
        created_at: now,
        updated_at: now,
        branch: change.branch,
        concurrency: change.concurrency,
        targets: JSON.stringify(change.targets),
        recipe: JSON.stringify(change.recipe),
        trusted: change.trusted,
      });
      const rows = change.repositories.map(r => ({
        change_id: change.id,
        entity_ref: r.entityRef,
        state: r.error ? 'failed' : 'pending',
        repo_url: r.repoUrl,
        web_url: r.webUrl ?? null,
        error: r.error ?? null,
        attempts: 0,
        updated_at: now,
      }));
      for (let i = 0; i < rows.length; i += CHUNK) {
        await trx('changes_repositories').insert(rows.slice(i, i + CHUNK));
      }
    });
  }

  async getChangeRow(id: string): Promise<ChangeRow> {
    const row = await this.db<ChangeRow>('changes').where({ id }).first();
    if (!row) throw new NotFoundError(`No change ${id}`);
    return row;
  }

  async get(id: string): Promise<ChangeDetail> {
    const row = await this.getChangeRow(id);
    const repos: RepositoryRow[] = await this.db('changes_repositories')
      .where({ change_id: id })
      .select(repositoryColumns)
      .orderBy('entity_ref');
    const counts = countStates(repos.map(r => r.state));
    return {
      ...toSummary(row, counts, repos.length),
      targets: JSON.parse(row.targets),
      recipe: JSON.parse(row.recipe),
      repositories: repos.map(toRepository),
    };
  }

  /** Newest first; a constant number of queries whatever the page size. */
  list(options: ListChangesOptions): Promise<ChangePage> {
    return listChanges(this.db, options);
  }

  async diff(changeId: string, entityRef: string): Promise<string | undefined> {
    const row = await this.db<RepositoryRow>('changes_repositories')
      .where({ change_id: changeId, entity_ref: entityRef })
      .first('diff');
    if (!row) {
      throw new NotFoundError(`Change ${changeId} does not cover ${entityRef}`);
    }
    return row.diff ?? undefined;
  }

  async repositories(
    changeId: string,
    states?: ChangeRepositoryState[],
  ): Promise<ChangeRepository[]> {
    let q = this.db('changes_repositories')
      .where({ change_id: changeId })
      .select(repositoryColumns)
      .orderBy('entity_ref');
    if (states) q = q.whereIn('state', states);
    const rows: RepositoryRow[] = await q;
    return rows.map(toRepository);
  }

  /**
   * Moves rows from one state to another (those still in `from`), recording
   * who asked. Returns the entity refs that moved.
   */
  async transition(options: {
    changeId: string;
    entityRefs: string[];
    from: ChangeRepositoryState[];
    to: ChangeRepositoryState;
    appliedBy?: string;
    approvedBy?: string;
  }): Promise<string[]> {
    const moved: string[] = [];
    const now = Date.now();
    for (let i = 0; i < options.entityRefs.length; i += CHUNK) {
      const refs = options.entityRefs.slice(i, i + CHUNK);
      await this.db.transaction(async trx => {
        const rows = await trx('changes_repositories')
          .where({ change_id: options.changeId })
          .whereIn('entity_ref', refs)
          .whereIn('state', options.from)
          .whereNull('claimed_by')
          .select('entity_ref');
        const found = rows.map((r: { entity_ref: string }) => r.entity_ref);
        if (!found.length) return;
        await trx('changes_repositories')
          .where({ change_id: options.changeId })
          .whereIn('entity_ref', found)
          .whereIn('state', options.from)
          .update({
            state: options.to,
            updated_at: now,
            error: null,
            ...(options.appliedBy ? { applied_by: options.appliedBy } : {}),
            ...(options.approvedBy ? { approved_by: options.approvedBy } : {}),
          });
        moved.push(...found);
      });
    }
    await this.settle(options.changeId);
    return moved;
  }

  /**
   * Claims up to `limit` rows with work to do (preview or apply), keeping each
   * change's apply concurrency. A row whose claim's heartbeat is older than
   * `staleBefore` is taken over.
   */
  claim(options: ClaimOptions): Promise<ClaimedRepository[]> {
    return claimRepositories(this.db, options);
  }

  /** Keeps the worker's claims fresh. */
  async heartbeat(workerId: string): Promise<void> {
    await this.db('changes_repositories')
      .where({ claimed_by: workerId })
      .update({ heartbeat_at: Date.now() });
  }

  /**
   * Records progress on a claimed row. With `release` the claim ends. False
   * when the claim was lost (another worker took the row over).
   */
  async record(
    row: { changeId: string; entityRef: string },
    workerId: string,
    patch: RepositoryPatch,
    release = true,
  ): Promise<boolean> {
    const n = await this.db('changes_repositories')
      .where({
        change_id: row.changeId,
        entity_ref: row.entityRef,
        claimed_by: workerId,
      })
      .update({
        ...toColumns(patch),
        ...(release ? { claimed_by: null, heartbeat_at: null } : {}),
        updated_at: Date.now(),
      });
    if (release) await this.settle(row.changeId);
    return n === 1;
  }

  /** Updates an unclaimed row (tracking reads from the host). */
  async update(
    changeId: string,
    entityRef: string,
    patch: Partial<RepositoryPatch>,
  ) {
    await this.db('changes_repositories')
      .where({ change_id: changeId, entity_ref: entityRef })
      .whereNull('claimed_by')
      .update({ ...toColumns(patch), updated_at: Date.now() });
  }

  /** Sets the change's own state from its rows. */
  async settle(changeId: string): Promise<void> {
    // a row a worker still holds is in progress whatever its state says (a
    // pushed row waits for its pull request)
    const rows: { state: ChangeRepositoryState; claimed: number | null }[] =
      await this.db('changes_repositories')
        .where({ change_id: changeId })
        .groupBy('state')
        .select('state')
        .count({ claimed: 'claimed_by' });
    const states = new Set(rows.map(r => r.state));
    const held = rows.some(r => Number(r.claimed) > 0);
    const current = await this.getChangeRow(changeId);
    if (current.state === 'closed') return;
    let state: ChangeState = 'ready';
    if (states.has('pending')) state = 'previewing';
    else if (held || states.has('queued') || states.has('applying')) {
      state = 'applying';
    } else if (
      (['pushed', 'pr_open', 'merged', 'closed'] as const).some(s =>
        states.has(s),
      )
    ) {
      state = 'applied';
    }
    if (state !== current.state) {
      await this.db('changes')
        .where({ id: changeId })
        .whereNot('state', 'closed')
        .update({ state, updated_at: Date.now() });
    }
  }

  async closeChange(changeId: string): Promise<void> {
    await this.db('changes')
      .where({ id: changeId })
      .update({ state: 'closed', updated_at: Date.now() });
  }

  /** Open pull requests of changes that are not closed, for tracking. */
  async openPullRequests(limit: number): Promise<RepositoryRow[]> {
    return this.db<RepositoryRow>('changes_repositories')
      .where({ state: 'pr_open' })
      .whereNull('claimed_by')
      .orderBy('updated_at')
      .limit(limit);
  }
}

function countStates(states: string[]) {
  const counts: Record<string, number> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

function toColumns(patch: Partial<RepositoryPatch>) {
  const columns: Record<string, unknown> = {};
  if (patch.state !== undefined) columns.state = patch.state;
  if (patch.defaultBranch !== undefined)
    columns.default_branch = patch.defaultBranch;
  if (patch.baseSha !== undefined) columns.base_sha = patch.baseSha;
  if (patch.files !== undefined) columns.files = JSON.stringify(patch.files);
  if (patch.diff !== undefined) columns.diff = patch.diff;
  if (patch.commitSha !== undefined) columns.commit_sha = patch.commitSha;
  if (patch.prNumber !== undefined) columns.pr_number = patch.prNumber;
  if (patch.prUrl !== undefined) columns.pr_url = patch.prUrl;
  if (patch.prEtag !== undefined) columns.pr_etag = patch.prEtag;
  if (patch.checks !== undefined) columns.checks = patch.checks;
  if (patch.error !== undefined) columns.error = patch.error;
  return columns;
}
