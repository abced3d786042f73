// Recording and HID throughput: events recorded per second (append → AEDAT 4
// take, stop included), export/import per layout, and NSoC frames per second
// over the HID protocol to the software device (loopback) against the
// simulator on the same model, with the bytes a sparse frame takes on the wire.
// Standalone: `node --import tsx bench/recording-hid.ts`; also exports
// recordingHidBench() in the BenchRow form of bench/run.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectEvents } from '../src-engine/events/stream';
import { sliceBatch } from '../src-engine/events/batch';
import { encodeModel } from '../src-engine/nsoc/model-file';
import { makeConvTiny } from '../src-engine/nsoc/testing/convtiny';
import { syntheticDvsFrames } from '../src-engine/nsoc/testing/synthetic-frames';
import { openEventFile } from '../src-engine/node/open-file';
import { openDatabase } from '../src-main/db';
import { createHidBackend, createLoopback, createSimulatorBackend, SoftwareHidDevice } from '../src-main/devices/hid';
import { encodeFrame } from '../src-main/devices/hid/messages';
import { createRecordingService, exportDataset, importDataset } from '../src-main/recording';
import type { BenchRow } from './event-core';
import { hasSharedData, sharedPath, SHARED_EVENTS_DIR } from '../test/support/shared-data';

const now = () => performance.now();

export async function recordingHidBench(frames = 300): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (!hasSharedData) {
    console.log(`recording bench: real recordings not found at ${SHARED_EVENTS_DIR}; skipped`);
    return rows;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-rec-'));
  const db = openDatabase(join(dir, 'app.db'));
  try {
    const events = await collectEvents(await openEventFile(sharedPath('dvxplorer_sample.aedat4')));
    const service = await createRecordingService({ db, dataDir: dir, maxPendingEvents: 64 << 20 });
    const reps = 20; // ≈ 2.2 M events
    const t0 = now();
    const cpu0 = process.cpuUsage();
    await service.startRecording({ label: 'bench' }, { sensor: 'dvxplorer', width: 320, height: 240 });
    for (let r = 0; r < reps; r++) for (let i = 0; i < events.length; i += 4096) service.append(sliceBatch(events, i, i + 4096));
    const take = await service.stopRecording();
    const recMs = now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // CPU time as well as wall time: on a shared machine the wall figure mostly measures the neighbours
    const cpuMs = (cpu.user + cpu.system) / 1000;
    rows.push({ name: 'recording: append → AEDAT 4 take', value: take.events / recMs / 1000, unit: 'Mev/s', note: `${take.events} events, stop + fsync included; ${(take.events / cpuMs / 1000).toFixed(1)} Mev/s of CPU time` });
    for (const layout of ['tonic', 'dvsgesture'] as const) {
      const out = join(dir, layout);
      let t = now();
      await exportDataset(service, { layout, dir: out }).done;
      rows.push({ name: `export ${layout}`, value: take.events / (now() - t) / 1000, unit: 'Mev/s' });
      const other = await createRecordingService({ db: openDatabase(join(dir, `${layout}.db`)), dataDir: join(dir, `${layout}-in`) });
      t = now();
      await importDataset(other, { dir: out }).done;
      rows.push({ name: `import ${layout}`, value: take.events / (now() - t) / 1000, unit: 'Mev/s' });
    }

    const model = makeConvTiny();
    const bytes = encodeModel(model);
    const input = syntheticDvsFrames(frames, { height: model.input.height, width: model.input.width, bins: model.input.channels / 2 });
    const sim = createSimulatorBackend();
    await sim.load(bytes);
    let t = now();
    for (const f of input) await sim.infer(f);
    const simFps = frames / ((now() - t) / 1000);
    rows.push({ name: 'NSoC simulator backend (ConvTiny)', value: simFps, unit: 'frames/s' });
    const device = new SoftwareHidDevice();
    const hid = await createHidBackend(async () => {
      const l = createLoopback();
      device.attach(l.device);
      return l.host;
    });
    t = now();
    await hid.load(bytes);
    rows.push({ name: 'HID model upload (loopback)', value: bytes.length / 1024 / ((now() - t) / 1000), unit: 'KiB/s', note: `${bytes.length} bytes in 64-byte reports` });
    t = now();
    for (const f of input) await hid.infer(f);
    const hidFps = frames / ((now() - t) / 1000);
    let wire = 0;
    for (const f of input) wire += encodeFrame(0, f).length;
    rows.push({ name: 'NSoC hid-device backend (loopback, ConvTiny)', value: hidFps, unit: 'frames/s', note: `${(wire / frames).toFixed(0)} B/frame on the wire for ${input[0].length} dense (${Math.ceil((wire / frames + 4) / 52)} reports)` });
    await hid.close();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await recordingHidBench()) console.log(`${r.name.padEnd(48)} ${r.value.toFixed(1).padStart(10)} ${r.unit} ${r.note ?? ''}`);
}
