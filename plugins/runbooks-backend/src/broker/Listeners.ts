import { LoggerService } from '@backstage/backend-plugin-api';

/**
 * A set of listeners called one after another: one that throws (or whose
 * promise rejects) is logged, and the others are still called.
 */
export class Listeners<Args extends unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>();

  constructor(
    private readonly logger: LoggerService,
    private readonly what: string,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (...args: Args) => void): () => void {
    // a wrapper per call: the same function added twice is removed once each
    const entry = (...args: Args) => listener(...args);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  call(...args: Args) {
    for (const listener of [...this.listeners]) {
      try {
        const result: unknown = listener(...args);
        if (result instanceof Promise) {
          result.catch(e => this.failed(e));
        }
      } catch (e) {
        this.failed(e);
      }
    }
  }

  private failed(e: unknown) {
    this.logger.warn(`A runbooks ${this.what} listener failed: ${e}`);
  }
}
