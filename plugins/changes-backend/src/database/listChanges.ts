import {
  ChangeRepository,
  ChangeState,
  ChangeSummary,
} from '@fleetdeck/plugin-changes-common';
import { Knex } from 'knex';
import {
  ChangeRow,
  repositoryColumns,
  RepositoryRow,
  toRepository,
  toSummary,
} from './rows';

export interface ListChangesOptions {
  entityRef?: string;
  state?: ChangeState;
  limit: number;
  before?: { createdAt: number; id: string };
}

export interface ChangePage {
  items: ChangeSummary[];
  next?: { createdAt: number; id: string };
}

/** Newest first; a constant number of queries whatever the page size. */
export async function listChanges(
  db: Knex,
  options: ListChangesOptions,
): Promise<ChangePage> {
  let query = db<ChangeRow>('changes')
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(options.limit + 1);
  if (options.state) query = query.where({ state: options.state });
  if (options.entityRef) {
    query = query.whereIn(
      'id',
      db('changes_repositories')
        .select('change_id')
        .where({ entity_ref: options.entityRef }),
    );
  }
  const before = options.before;
  if (before) {
    query = query.where(q =>
      q
        .where('created_at', '<', before.createdAt)
        .orWhere(q2 =>
          q2
            .where('created_at', before.createdAt)
            .andWhere('id', '<', before.id),
        ),
    );
  }
  const rows = await query;
  const page = rows.slice(0, options.limit);
  const counts = page.length
    ? await db('changes_repositories')
        .whereIn(
          'change_id',
          page.map(r => r.id),
        )
        .groupBy('change_id', 'state')
        .select('change_id', 'state')
        .count({ n: '*' })
    : [];
  const byChange = new Map<string, Map<string, number>>();
  for (const c of counts as {
    change_id: string;
    state: string;
    n: number | string;
  }[]) {
    const m = byChange.get(c.change_id) ?? new Map<string, number>();
    m.set(c.state, Number(c.n));
    byChange.set(c.change_id, m);
  }
  const own = new Map<string, ChangeRepository>();
  if (options.entityRef && page.length) {
    const repos: RepositoryRow[] = await db('changes_repositories')
      .whereIn(
        'change_id',
        page.map(r => r.id),
      )
      .where({ entity_ref: options.entityRef })
      .select(repositoryColumns);
    for (const r of repos) own.set(r.change_id, toRepository(r));
  }
  const items = page.map(row => {
    const m = byChange.get(row.id) ?? new Map<string, number>();
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    const repository = own.get(row.id);
    return {
      ...toSummary(row, Object.fromEntries(m), total),
      ...(repository ? { repository } : {}),
    };
  });
  const last = page[page.length - 1];
  return {
    items,
    next:
      rows.length > options.limit && last
        ? { createdAt: Number(last.created_at), id: last.id }
        : undefined,
  };
}
