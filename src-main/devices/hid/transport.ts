/**
 * Where reports travel: node-hid on a real device (hid-host.ts), or an
 * in-process loopback to the software device (tests, demos), optionally with
 * faults injected — dropped, corrupted or duplicated reports, from a seeded
 * generator so a failing case replays exactly.
 */
export interface HidTransport {
  /** sends one 64-byte report */
  write(report: Uint8Array): Promise<void>;
  /** every report that arrives; returns an unsubscribe */
  onReport(listener: (report: Uint8Array) => void): () => void;
  /** the link went away (unplugged, closed); null reason = closed on purpose */
  onClose(listener: (reason: Error | null) => void): () => void;
  close(): Promise<void>;
  readonly closed: boolean;
}

export interface LoopbackFaults {
  /** probability that a report is lost, 0–1 */
  drop?: number;
  /** probability that one byte of a report is flipped */
  corrupt?: number;
  /** probability that a report arrives twice */
  duplicate?: number;
  /** uniform [0, 1) (seeded, e.g. mulberry32) */
  random: () => number;
}

class LoopbackEnd implements HidTransport {
  peer!: LoopbackEnd;
  closed = false;
  private readonly reportListeners = new Set<(r: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: Error | null) => void>();
  /** reports sent by this end, after faults (tests look at them) */
  sent = 0;

  constructor(private readonly faults: LoopbackFaults | undefined) {}

  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('loopback: write after close');
    const f = this.faults;
    let copies = 1;
    const bytes = report.slice();
    if (f) {
      if (f.drop && f.random() < f.drop) return;
      if (f.corrupt && f.random() < f.corrupt) {
        const at = Math.floor(f.random() * bytes.length);
        bytes[at] ^= 1 + Math.floor(f.random() * 255);
      }
      if (f.duplicate && f.random() < f.duplicate) copies = 2;
    }
    this.sent++;
    const peer = this.peer;
    // delivered on a later turn, as a USB transfer would be
    for (let i = 0; i < copies; i++) {
      const b = i === 0 ? bytes : bytes.slice();
      setImmediate(() => peer.deliver(b));
    }
  }

  deliver(report: Uint8Array): void {
    if (this.closed) return;
    for (const l of this.reportListeners) l(report);
  }

  onReport(listener: (r: Uint8Array) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  onClose(listener: (reason: Error | null) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** ends both sides, as pulling the cable would (`reason` null: an orderly close) */
  async close(reason: Error | null = null): Promise<void> {
    this.shut(reason);
    this.peer.shut(reason ?? new Error('the other end closed the link'));
  }

  shut(reason: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(reason);
  }
}

/** Two connected ends: `host` for the HID client, `device` for the software device. Faults apply to both directions. */
export function createLoopback(faults?: LoopbackFaults): { host: HidTransport & { unplug(): void }; device: HidTransport } {
  const host = new LoopbackEnd(faults);
  const device = new LoopbackEnd(faults);
  host.peer = device;
  device.peer = host;
  return { host: Object.assign(host, { unplug: () => void host.close(new Error('device unplugged')) }), device };
}
