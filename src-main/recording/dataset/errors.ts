/** A dataset that cannot be imported or exported: names the file (and line) and says why. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? ` line ${line}` : ''}: ${reason}`);
  }
}
