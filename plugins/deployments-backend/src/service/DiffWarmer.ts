import { LoggerService } from '@backstage/backend-plugin-api';
import { Repository } from '@fleetdeck/fleetdeck-node';
import { DiffService } from './DiffService';

/**
 * Computes comparisons in the background, one at a time, so that the
 * Deployments tab and the drift page read them from the cache.
 */
export class DiffWarmer {
  private readonly queue = new Map<
    string,
    { repo: Repository; base: string; head: string }
  >();
  private running?: Promise<void>;

  constructor(
    private readonly diff: DiffService,
    private readonly logger: LoggerService,
  ) {}

  add(repo: Repository, base: string, head: string) {
    if (base === head) return;
    this.queue.set(`${repo.key}:${base}:${head}`, { repo, base, head });
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
    }
  }

  /** Resolves when nothing is queued. */
  async idle() {
    while (this.running) await this.running;
  }

  private async drain() {
    while (this.queue.size) {
      const [key, job] = this.queue.entries().next().value!;
      this.queue.delete(key);
      try {
        await this.diff.range(job.repo, job.base, job.head);
      } catch (e) {
        this.logger.debug(
          `Could not compare ${job.base}..${job.head} in ${job.repo.url}: ${e}`,
        );
      }
    }
  }
}
