/**
 * Export progress counted in events, not files, so one long take still moves
 * the bar: reported at 0, then at most ~100 times, then at total.
 */
import type { EventBatch } from '../../../src-engine/events/batch';

export type Report = (done: number, total: number) => void;

export class EventProgress {
  private done = 0;
  private last = 0;
  private readonly step: number;

  constructor(
    readonly total: number,
    private readonly report: Report,
  ) {
    this.step = Math.max(1, Math.ceil(total / 100));
    report(0, total);
  }

  add(n: number): void {
    this.done += n;
    if (this.done - this.last >= this.step && this.done < this.total) {
      this.last = this.done;
      this.report(this.done, this.total);
    }
  }

  /** passes batches through, counting them */
  async *count(batches: AsyncIterable<EventBatch>): AsyncGenerator<EventBatch> {
    for await (const b of batches) {
      yield b;
      this.add(b.length);
    }
  }

  finish(): void {
    this.report(this.total, this.total);
  }
}
