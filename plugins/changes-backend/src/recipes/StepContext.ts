/** What every step of one recipe run works with. */
export interface StepContext {
  /** Real path of the checkout's root. */
  root: string;
  /** The step's number, counted from 1, for messages. */
  step: number;
  fileTimeoutMs: number;
  maxFileBytes: number;
  signal?: AbortSignal;
  /** Records a file the step selected but left alone. */
  skip(path: string, reason: string): void;
}
