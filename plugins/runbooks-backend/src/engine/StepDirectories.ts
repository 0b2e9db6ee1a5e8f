import { mkdtempSync } from 'fs';
import { rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { materialize } from '../trust/DefinitionSnapshots';

/**
 * The directories of one step attempt, each made when an executor first
 * asks for it: an empty working directory, and inside it the runbook's
 * pinned folder (written out only for an executor that reads it).
 */
export class StepDirectories {
  private working?: string;
  private definition?: string;

  /** `files`: the run's pinned runbook folder (none for runs from before pinning). */
  constructor(private readonly files?: Map<string, Buffer>) {}

  get workingDirectory(): string {
    this.working ??= mkdtempSync(join(tmpdir(), 'runbook-step-'));
    return this.working;
  }

  get definitionDirectory(): string | undefined {
    if (!this.files) return undefined;
    this.definition ??= materialize(
      this.files,
      join(this.workingDirectory, 'runbook'),
    );
    return this.definition;
  }

  /** Removes what was made. */
  async remove() {
    if (this.working) {
      await rm(this.working, { recursive: true, force: true });
    }
  }
}
