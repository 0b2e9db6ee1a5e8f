import {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  ChangeDetail,
  ChangeRepositoryState,
  ChangeSummary,
  changesApplyPermission,
  changesCreatePermission,
  changesReadPermission,
  changesSearchPermission,
  ParsedChangeInput,
  Recipe,
  SearchResponse,
  TrustedRecipe,
} from '@fleetdeck/plugin-changes-common';
import { actorRef, audited } from '@fleetdeck/fleetdeck-node';
import { randomUUID } from 'crypto';
import { ChangeStore, NewRepository } from '../database/ChangeStore';
import { RepositoryAccess } from '../git/RepositoryAccess';
import { TrustedRecipes } from '../recipes/TrustedRecipes';
import { CodeSearch, ParsedSearchQuery, searchTargets } from '../search';
import { PullRequestTracker } from './PullRequestTracker';
import { selectEntities } from './targets';

const CHUNK = 100;

/** One caller's request: their credentials, and the HTTP request for the auditor. */
export interface Caller {
  credentials: BackstageCredentials;
  request?: Parameters<AuditorService['createEvent']>[0]['request'];
}

/**
 * Creating, previewing, applying and tracking changes, and code search:
 * every permission check and audit event of the plugin is here.
 */
export class ChangesService {
  constructor(
    private readonly deps: {
      store: ChangeStore;
      catalog: CatalogService;
      permissions: PermissionsService;
      auditor?: AuditorService;
      logger: LoggerService;
      access: RepositoryAccess;
      search: CodeSearch;
      tracker: PullRequestTracker;
      /** The recipes configured in `changes.recipes`; none if unset. */
      recipes?: TrustedRecipes;
      /** Called when there is new work for the worker. */
      wake: () => void;
    },
  ) {}

  async search(
    query: ParsedSearchQuery,
    caller: Caller,
  ): Promise<SearchResponse> {
    await this.assertAllowed(changesSearchPermission, caller);
    const entities = await selectEntities(
      this.deps.catalog,
      query,
      caller.credentials,
    );
    // owner and system as full refs, entities without a usable repository in failed
    const { targets, failed } = searchTargets(entities, this.deps.access);
    const response = await this.deps.search.search(query, targets);
    return { ...response, failed: [...failed, ...response.failed] };
  }

  async create(
    input: ParsedChangeInput,
    caller: Caller,
  ): Promise<ChangeSummary> {
    await this.assertAllowed(changesCreatePermission, caller);
    const { recipe, recipeName, trusted } = this.recipeOf(input);
    const entities = await selectEntities(
      this.deps.catalog,
      input.targets,
      caller.credentials,
    );
    if (!entities.length) {
      throw new InputError('The targets select no entity you may read');
    }
    const id = randomUUID();
    const repositories: NewRepository[] = entities.map(entity => {
      const entityRef = stringifyEntityRef(entity);
      try {
        const repo = this.deps.access.resolve(entity);
        return { entityRef, repoUrl: repo.url, webUrl: repo.webUrl };
      } catch (e) {
        return { entityRef, repoUrl: '', error: (e as Error).message };
      }
    });
    const createdBy = actorRef(caller.credentials);
    await audited(
      this.deps.auditor,
      {
        eventId: 'change-create',
        request: caller.request,
        actor: caller.credentials,
        meta: {
          changeId: id,
          title: input.title,
          ...(recipeName ? { recipeName } : {}),
          repositories: repositories.length,
        },
      },
      () =>
        this.deps.store.create({
          id,
          title: input.title,
          description: input.description,
          createdBy,
          branch: input.branch ?? `fleetdeck/change-${id.slice(0, 8)}`,
          concurrency: input.concurrency,
          targets: input.targets,
          recipe,
          trusted,
          repositories,
        }),
    );
    this.deps.wake();
    return this.summary(id);
  }

  /** The recipes operators configured in `changes.recipes`. */
  async listRecipes(caller: Caller): Promise<TrustedRecipe[]> {
    await this.assertAllowed(changesReadPermission, caller);
    return this.recipes.list();
  }

  async get(id: string, caller: Caller): Promise<ChangeDetail> {
    await this.assertAllowed(changesReadPermission, caller);
    return this.deps.store.get(id);
  }

  async list(
    options: Parameters<ChangeStore['list']>[0],
    caller: Caller,
  ): ReturnType<ChangeStore['list']> {
    await this.assertAllowed(changesReadPermission, caller);
    return this.deps.store.list(options);
  }

  async diff(id: string, entityRef: string, caller: Caller) {
    await this.assertAllowed(changesReadPermission, caller);
    return {
      entityRef,
      diff: (await this.deps.store.diff(id, entityRef)) ?? '',
    };
  }

  /**
   * Queues the previewed (or failed) repositories for apply: those whose
   * entity the caller may apply to go ahead, the rest wait for an owner.
   */
  async apply(id: string, entityRefs: string[] | undefined, caller: Caller) {
    const candidates = await this.candidates(id, entityRefs, [
      'previewed',
      'failed',
    ]);
    const denied = new Set(await this.denied(candidates, caller));
    const appliedBy = actorRef(caller.credentials);
    await audited(
      this.deps.auditor,
      {
        eventId: 'change-apply-request',
        request: caller.request,
        actor: caller.credentials,
        meta: {
          changeId: id,
          repositories: candidates.length,
          awaitingApproval: denied.size,
        },
      },
      async outcome => {
        const queued = await this.deps.store.transition({
          changeId: id,
          entityRefs: candidates.filter(r => !denied.has(r)),
          from: ['previewed', 'failed'],
          to: 'queued',
          appliedBy,
        });
        const waiting = await this.deps.store.transition({
          changeId: id,
          entityRefs: [...denied],
          from: ['previewed', 'failed'],
          to: 'awaiting_approval',
          appliedBy,
        });
        outcome.queued = queued.length;
        outcome.awaitingApproval = waiting.length;
      },
    );
    this.deps.wake();
    return this.summary(id);
  }

  /**
   * Rebuilds the branches of pushed repositories whose default branch moved
   * (the others are left as they are), where the caller may apply.
   */
  async updateBranches(id: string, caller: Caller) {
    const candidates = await this.candidates(id, undefined, [
      'pushed',
      'pr_open',
    ]);
    const denied = new Set(await this.denied(candidates, caller));
    await audited(
      this.deps.auditor,
      {
        eventId: 'change-update-branches',
        request: caller.request,
        actor: caller.credentials,
        meta: { changeId: id, repositories: candidates.length - denied.size },
      },
      () =>
        this.deps.store.transition({
          changeId: id,
          entityRefs: candidates.filter(r => !denied.has(r)),
          from: ['pushed', 'pr_open'],
          to: 'queued',
          appliedBy: actorRef(caller.credentials),
        }),
    );
    this.deps.wake();
    return this.summary(id);
  }

  /** An owner lets repositories waiting for approval go ahead. */
  async approve(id: string, entityRefs: string[], caller: Caller) {
    const candidates = await this.candidates(id, entityRefs, [
      'awaiting_approval',
    ]);
    const denied = new Set(await this.denied(candidates, caller));
    const allowed = candidates.filter(r => !denied.has(r));
    if (!allowed.length) {
      throw new NotAllowedError(
        'Only the owners of these services (or admins) can approve this change for them',
      );
    }
    await audited(
      this.deps.auditor,
      {
        eventId: 'change-approve',
        request: caller.request,
        actor: caller.credentials,
        meta: { changeId: id, entityRefs: allowed },
      },
      () =>
        this.deps.store.transition({
          changeId: id,
          entityRefs: allowed,
          from: ['awaiting_approval'],
          to: 'queued',
          approvedBy: actorRef(caller.credentials),
        }),
    );
    this.deps.wake();
    return this.summary(id);
  }

  /** Stops what has not started: queued and waiting repositories go back to previewed. */
  async cancel(id: string, caller: Caller) {
    await this.assertOwnerOrCreator(id, caller);
    const refs = await this.candidates(id, undefined, [
      'queued',
      'awaiting_approval',
    ]);
    await audited(
      this.deps.auditor,
      {
        eventId: 'change-cancel',
        request: caller.request,
        actor: caller.credentials,
        meta: { changeId: id },
      },
      () =>
        this.deps.store.transition({
          changeId: id,
          entityRefs: refs,
          from: ['queued', 'awaiting_approval'],
          to: 'previewed',
        }),
    );
    return this.summary(id);
  }

  /** Closes every open pull request of the change on its host. */
  async close(id: string, caller: Caller) {
    await this.assertOwnerOrCreator(id, caller);
    await this.cancel(id, caller);
    const open = await this.deps.store.repositories(id, ['pr_open']);
    await audited(
      this.deps.auditor,
      {
        eventId: 'change-close',
        request: caller.request,
        actor: caller.credentials,
        meta: { changeId: id },
      },
      async outcome => {
        const { closed, failed } = await this.deps.tracker.closeAll(id, open);
        outcome.closed = closed;
        if (failed) outcome.failed = failed;
        await this.deps.store.closeChange(id);
      },
    );
    return this.summary(id);
  }

  /** Reads the state of the change's open pull requests from their hosts now. */
  async refresh(id: string, caller: Caller) {
    await this.assertAllowed(changesReadPermission, caller);
    const rows = (await this.deps.store.repositories(id, ['pr_open'])).map(
      r => ({
        changeId: id,
        entityRef: r.entityRef,
        url: r.repository.url,
        pullRequest: r.pullRequest!,
      }),
    );
    await this.deps.tracker.track(rows);
    return this.summary(id);
  }

  private get recipes(): TrustedRecipes {
    return this.deps.recipes ?? TrustedRecipes.empty();
  }

  /**
   * The steps a new change runs, and whether they come from the trusted
   * source. Steps sent with the request are never trusted, so they may not
   * hold command steps; a configured recipe's steps are copied from config
   * (by name, never by anything else in the request).
   */
  private recipeOf(input: ParsedChangeInput): {
    recipe: Recipe;
    recipeName?: string;
    trusted: boolean;
  } {
    if (input.recipeName !== undefined && input.recipe !== undefined) {
      throw new InputError(
        'Give either recipe (the steps) or recipeName (a configured recipe), not both',
      );
    }
    if (input.recipeName !== undefined) {
      const configured = this.recipes.get(input.recipeName);
      if (!configured) {
        const names = this.recipes.names();
        throw new InputError(
          `No recipe named ${JSON.stringify(
            input.recipeName,
          )} in changes.recipes; ${
            names.length
              ? `the configured recipes are ${names.join(', ')}`
              : 'no recipe is configured'
          }`,
        );
      }
      return {
        recipe: structuredClone(configured.steps),
        recipeName: configured.name,
        trusted: true,
      };
    }
    if (!input.recipe) {
      throw new InputError(
        'Give either recipe (the steps) or recipeName (a recipe configured in changes.recipes)',
      );
    }
    if (input.recipe.some(step => step.type === 'command')) {
      throw new InputError(
        'command steps run only in changes from a trusted source (a recipe configured in changes.recipes, chosen with recipeName); use replace or setField steps',
      );
    }
    return { recipe: input.recipe, trusted: false };
  }

  private async summary(id: string): Promise<ChangeSummary> {
    const { targets, recipe, repositories, ...summary } =
      await this.deps.store.get(id);
    return summary;
  }

  private async candidates(
    id: string,
    entityRefs: string[] | undefined,
    states: ChangeRepositoryState[],
  ): Promise<string[]> {
    const rows = await this.deps.store.repositories(id, states);
    const wanted =
      entityRefs && new Set(entityRefs.map(r => r.toLocaleLowerCase('en-US')));
    const refs = rows
      // a repository that never resolved has nothing to apply to
      .filter(r => r.repository.url)
      .map(r => r.entityRef)
      .filter(r => !wanted || wanted.has(r.toLocaleLowerCase('en-US')));
    if (entityRefs && !refs.length) {
      throw new InputError(
        `None of the given repositories is ${states.join(
          ' or ',
        )} in change ${id}`,
      );
    }
    return refs;
  }

  /** The refs of `refs` whose entity the caller may not apply a change to. */
  private async denied(refs: string[], caller: Caller): Promise<string[]> {
    const denied: string[] = [];
    for (let i = 0; i < refs.length; i += CHUNK) {
      const chunk = refs.slice(i, i + CHUNK);
      const decisions = await this.deps.permissions.authorize(
        chunk.map(resourceRef => ({
          permission: changesApplyPermission,
          resourceRef,
        })),
        { credentials: caller.credentials },
      );
      decisions.forEach((d, j) => {
        if (d.result !== AuthorizeResult.ALLOW) denied.push(chunk[j]);
      });
    }
    return denied;
  }

  private async assertAllowed(permission: BasicPermission, caller: Caller) {
    const [decision] = await this.deps.permissions.authorize([{ permission }], {
      credentials: caller.credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`You may not do this (${permission.name})`);
    }
  }

  /** Cancel and close: the change's creator, or who may create changes and apply to all its repositories. */
  private async assertOwnerOrCreator(id: string, caller: Caller) {
    const row = await this.deps.store.getChangeRow(id);
    if (row.created_by === actorRef(caller.credentials)) return;
    const refs = (await this.deps.store.repositories(id)).map(r => r.entityRef);
    if ((await this.denied(refs, caller)).length) {
      throw new NotAllowedError(
        'Only the creator of this change, or who may apply it to every one of its repositories, can cancel or close it',
      );
    }
  }
}
