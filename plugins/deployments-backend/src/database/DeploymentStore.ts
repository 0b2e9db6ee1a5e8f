import {
  Deployment,
  DeploymentStatus,
} from '@fleetdeck/plugin-deployments-common';
import { Knex } from 'knex';

interface Row {
  id: number;
  entity_ref: string;
  environment: string;
  commit_sha: string;
  version: string | null;
  deployed_at: number | string;
  deployed_by: string | null;
  pipeline_url: string | null;
  status: string;
  source: string;
  warning: string | null;
  recorded_at: number | string;
}

/** A deployment to write; `deployedAt` in epoch milliseconds. */
export interface NewDeployment {
  entityRef: string;
  environment: string;
  commitSha: string;
  version?: string;
  deployedAt: number;
  deployedBy?: string;
  pipelineUrl?: string;
  status: DeploymentStatus;
  source: string;
}

function toDeployment(row: Row): Deployment {
  return {
    id: Number(row.id),
    entityRef: row.entity_ref,
    environment: row.environment,
    commitSha: row.commit_sha,
    version: row.version ?? undefined,
    deployedAt: new Date(Number(row.deployed_at)).toISOString(),
    deployedBy: row.deployed_by ?? undefined,
    pipelineUrl: row.pipeline_url ?? undefined,
    status: row.status as DeploymentStatus,
    source: row.source,
    warning: row.warning ?? undefined,
    recordedAt: new Date(Number(row.recorded_at)).toISOString(),
  };
}

/** An entity's current commit in one environment. */
export type CurrentCommit = Pick<
  Deployment,
  'entityRef' | 'environment' | 'commitSha' | 'version' | 'deployedAt'
>;

/** Deployment history: every record is kept; the newest successful one is current. */
export class DeploymentStore {
  constructor(private readonly db: Knex) {}

  /**
   * Inserts a deployment unless one with the same (entity, environment, SHA,
   * time) exists; returns the stored record and whether it is new.
   */
  async record(
    d: NewDeployment,
  ): Promise<{ deployment: Deployment; created: boolean }> {
    const key = {
      entity_ref: d.entityRef,
      environment: d.environment,
      commit_sha: d.commitSha,
      deployed_at: d.deployedAt,
    };
    const inserted = await this.db('deployments')
      .insert({
        ...key,
        version: d.version ?? null,
        deployed_by: d.deployedBy ?? null,
        pipeline_url: d.pipelineUrl ?? null,
        status: d.status,
        source: d.source,
        recorded_at: Date.now(),
      })
      .onConflict(['entity_ref', 'environment', 'commit_sha', 'deployed_at'])
      .ignore()
      .returning('id');
    const row = await this.db<Row>('deployments').where(key).first();
    return { deployment: toDeployment(row!), created: inserted.length > 0 };
  }

  /** The record with this idempotency key, if kept. */
  async find(key: {
    entityRef: string;
    environment: string;
    commitSha: string;
    deployedAt: number;
  }) {
    const row = await this.db<Row>('deployments')
      .where({
        entity_ref: key.entityRef,
        environment: key.environment,
        commit_sha: key.commitSha,
        deployed_at: key.deployedAt,
      })
      .first();
    return row ? toDeployment(row) : undefined;
  }

  async setWarning(id: number, warning: string | null) {
    await this.db('deployments').where({ id }).update({ warning });
  }

  /** Newest first. */
  async history(options: {
    entityRef: string;
    environment?: string;
    limit: number;
    offset?: number;
  }): Promise<Deployment[]> {
    const q = this.db<Row>('deployments').where({
      entity_ref: options.entityRef,
    });
    if (options.environment) q.where({ environment: options.environment });
    const rows = await q
      .orderBy([
        { column: 'deployed_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit)
      .offset(options.offset ?? 0);
    return rows.map(toDeployment);
  }

  /**
   * The current (newest successful) deployment per entity and environment,
   * for the given entities or for all.
   */
  async current(entityRefs?: string[]): Promise<Deployment[]> {
    return (await this.currentRows(['d.*'], entityRefs)).map(toDeployment);
  }

  /**
   * What the drift summary needs of {@link DeploymentStore.current} for every
   * entity: only the columns it shows, read and converted without the rest.
   */
  async currentCommits(): Promise<CurrentCommit[]> {
    const rows = await this.currentRows([
      'd.id',
      'd.entity_ref',
      'd.environment',
      'd.commit_sha',
      'd.version',
      'd.deployed_at',
    ]);
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      commitSha: row.commit_sha,
      version: row.version ?? undefined,
      deployedAt: new Date(Number(row.deployed_at)).toISOString(),
    }));
  }

  private async currentRows(
    columns: string[],
    entityRefs?: string[],
  ): Promise<Row[]> {
    const latest = this.db('deployments')
      .select('entity_ref', 'environment')
      .max({ max_at: 'deployed_at' })
      .where({ status: 'succeeded' })
      .groupBy('entity_ref', 'environment');
    if (entityRefs) latest.whereIn('entity_ref', entityRefs);
    const rows: Row[] = await this.db('deployments as d')
      .join(latest.as('l'), function join() {
        this.on('d.entity_ref', '=', 'l.entity_ref')
          .andOn('d.environment', '=', 'l.environment')
          .andOn('d.deployed_at', '=', 'l.max_at');
      })
      .where('d.status', 'succeeded')
      .select(columns);
    // Two records at the same instant: the one recorded last wins.
    const byKey = new Map<string, Row>();
    for (const row of rows) {
      const key = `${row.entity_ref}\n${row.environment}`;
      const seen = byKey.get(key);
      if (!seen || Number(seen.id) < Number(row.id)) byKey.set(key, row);
    }
    return [...byKey.values()];
  }
}
