/** A problem in an inventory file, naming the file and, where known, the line. */
export class InventoryParseError extends Error {
  readonly name = 'InventoryParseError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
  }
}
