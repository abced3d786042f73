import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeModel } from '../../src-engine/nsoc/model-file';
import { crc32 } from '../../src-engine/nsoc/model-file/crc32';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { mulberry32, randomInput, randomModel as rawRandomModel } from '../../src-engine/nsoc/testing/random-model';
import { createHidBackend, createLoopback, createSimulatorBackend, DeviceErrorCode, HidClient, type HidTransport, type LoopbackFaults, Op, ProtocolError, SoftwareHidDevice } from '../../src-main/devices/hid';

/** randomModel with one label per output (the .nlm needs them) and, for odd seeds, an output scale and bias (so scores travel too). */
function randomModel(seed: number, opts: Parameters<typeof rawRandomModel>[1] = {}) {
  const m = rawRandomModel(seed, opts);
  const [h, w, c] = new NsocRuntime(m).plan.layers.at(-1)!.outShape;
  const n = h * w * c;
  m.labels = Array.from({ length: n }, (_, i) => `class ${i}`);
  if (seed % 2 === 1 && h * w === 1) {
    const last = m.layers[m.layers.length - 1];
    const rng = mulberry32(seed);
    last.outputScale = Float32Array.from({ length: n }, () => 0.01 + rng());
    last.outputBias = Float32Array.from({ length: n }, () => rng() - 0.5);
  }
  return m;
}

const bits = (a: Float32Array | null | undefined) => (a ? [...new Uint32Array(a.buffer, a.byteOffset, a.length)] : null);

function deviceOpener(device: SoftwareHidDevice, faults?: LoopbackFaults) {
  const links: ReturnType<typeof createLoopback>[] = [];
  const open = async (): Promise<HidTransport> => {
    const link = createLoopback(faults);
    device.attach(link.device);
    links.push(link);
    return link.host;
  };
  return { open, links };
}

test('simulator and hid-device backends give the runtime’s outputs bit for bit on random models', async () => {
  const device = new SoftwareHidDevice();
  const hid = await createHidBackend(deviceOpener(device).open, { timeoutMs: 2000 });
  const sim = createSimulatorBackend();
  try {
    assert.equal(hid.identity?.name, 'Neurolive software NSoC');
    let compared = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const model = randomModel(seed, { maxSize: 10 });
      const bytes = encodeModel(model);
      const [a, b] = [await sim.load(bytes), await hid.load(bytes)];
      assert.deepEqual(b, a, `seed ${seed}: the device describes the model as the simulator does`);
      const reference = new NsocRuntime(model);
      for (const density of [0, 0.1, 0.5]) {
        const frame = randomInput(model, seed * 31 + Math.round(density * 10), density);
        const want = reference.infer(frame);
        const [s, h] = [await sim.infer(frame), await hid.infer(frame)];
        for (const got of [s, h]) {
          assert.deepEqual(got.output, want.output, `seed ${seed} density ${density}`);
          assert.deepEqual(bits(got.scores), bits(want.scores));
          assert.equal(got.stats.executedOps, want.stats.executedOps);
          assert.equal(got.stats.denseMacs, want.stats.denseMacs);
          assert.deepEqual(got.stats.layers.map((l) => l.outputEvents), want.stats.layers.map((l) => l.outputEvents));
        }
        compared++;
      }
    }
    assert.equal(compared, 36);
    const st = await hid.status();
    assert.equal(st.kind, 'hid-device');
    assert.equal(st.state, 'ready');
    assert.equal(st.framesProcessed, 36);
    assert.match(st.label, /Neurolive software NSoC SW-0001 \(fw 1\.0\.0\)/);
  } finally {
    await hid.close();
    await sim.close();
  }
});

test('lost, corrupted and duplicated reports: retries with the same seq; the device replays instead of executing twice', async () => {
  const device = new SoftwareHidDevice();
  const rng = mulberry32(31337);
  const { open } = deviceOpener(device, { drop: 0.02, corrupt: 0.02, duplicate: 0.05, random: rng });
  const hid = await createHidBackend(open, { timeoutMs: 40, retries: 20 });
  try {
    const model = randomModel(3, { maxSize: 12 });
    await hid.load(encodeModel(model));
    const reference = new NsocRuntime(model);
    for (let i = 0; i < 30; i++) {
      const frame = randomInput(model, 100 + i, 0.2);
      const got = await hid.infer(frame);
      assert.deepEqual(got.output, reference.infer(frame).output, `frame ${i}`);
    }
    const c = hid.client!.counters;
    assert.ok(c.retries > 0, `the faults forced retries: ${JSON.stringify(c)}`);
    assert.ok(c.badReports > 0 || device.badReports > 0, 'corrupted reports were detected and dropped');
    assert.ok(device.replays > 0, 'a repeated seq was answered from the cache');
    assert.equal(device.framesProcessed, 30, 'each frame ran exactly once on the device');
  } finally {
    await hid.close();
  }
});

test('device errors arrive as typed errors with the device’s code and message', async () => {
  const device = new SoftwareHidDevice({ identity: { maxModelBytes: 4096 } });
  const { open, links } = deviceOpener(device);
  const hid = await createHidBackend(open, { timeoutMs: 2000 });
  try {
    const model = randomModel(5, { maxSize: 6 });
    const bytes = encodeModel(model);
    await assert.rejects(hid.infer(new Uint8Array(4)), (e: unknown) => e instanceof ProtocolError && /no model is loaded/.test(e.message));
    // talk to the device directly for what the backend would never send
    const client = new HidClient(links[0].host, { timeoutMs: 2000 });
    const refused = (code: number, re: RegExp) => (e: unknown) => e instanceof ProtocolError && e.code === 'device' && e.deviceCode === code && re.test(e.message);
    await assert.rejects(client.request(Op.STREAM_FRAME, new Uint8Array(12)), refused(DeviceErrorCode.NO_MODEL, /refused STREAM_FRAME: NO_MODEL: no model is loaded/));
    await assert.rejects(client.request(Op.LOAD_CHUNK, new Uint8Array(8)), refused(DeviceErrorCode.LOAD_SEQUENCE, /LOAD_CHUNK without LOAD_BEGIN/));
    await assert.rejects(client.request(Op.LOAD_BEGIN, Uint8Array.of(0, 0, 1, 0, 0, 0, 0, 0)), refused(DeviceErrorCode.TOO_LARGE, /65536 bytes exceeds this device's 4096/));
    await assert.rejects(client.request(Op.LOAD_BEGIN, Uint8Array.of(1)), refused(DeviceErrorCode.BAD_REQUEST, /LOAD_BEGIN: totalBytes needs 4 bytes/));
    // a model whose bytes do not match the announced CRC
    const begin = new Uint8Array(8);
    new DataView(begin.buffer).setUint32(0, bytes.length, true);
    new DataView(begin.buffer).setUint32(4, (crc32(bytes) ^ 1) >>> 0, true);
    await client.request(Op.LOAD_BEGIN, begin);
    for (let off = 0; off < bytes.length; off += 4096) {
      const chunk = bytes.subarray(off, off + 4096);
      const p = new Uint8Array(4 + chunk.length);
      new DataView(p.buffer).setUint32(0, off, true);
      p.set(chunk, 4);
      await client.request(Op.LOAD_CHUNK, p);
    }
    await assert.rejects(client.request(Op.LOAD_END), refused(DeviceErrorCode.HASH_MISMATCH, /CRC-32 .* differs from the announced/));
    client.dispose();
    // bytes that are not a model: the host refuses them before sending anything
    await assert.rejects(hid.load(new TextEncoder().encode('not a model at all')), /not a Neurolive model file/);
    await hid.load(bytes);
    await assert.rejects(hid.infer(new Uint8Array(3)), (e: unknown) => e instanceof ProtocolError && e.deviceCode === DeviceErrorCode.FRAME_SIZE && /a frame of 3 values; the model takes \d+/.test(e.message));
    const frame = randomInput(model, 1, 0.3);
    assert.deepEqual((await hid.infer(frame)).output, new NsocRuntime(model).infer(frame).output, 'errors left the device usable');
    assert.ok(device.errors >= 6);
  } finally {
    await hid.close();
  }
});

test('unplug: the backend reconnects with backoff and restores its model (re-uploading after a power cycle)', async () => {
  const device = new SoftwareHidDevice();
  const { open, links } = deviceOpener(device);
  const states: string[] = [];
  const hid = await createHidBackend(open, { timeoutMs: 2000, backoffMs: 5, onStateChange: (s) => states.push(s) });
  try {
    const model = randomModel(8, { maxSize: 8 });
    await hid.load(encodeModel(model));
    const frame = randomInput(model, 2, 0.3);
    const want = new NsocRuntime(model).infer(frame).output;

    links[0].host.unplug();
    assert.equal((await hid.status()).state, 'reconnecting');
    await assert.rejects(hid.infer(frame), (e: unknown) => e instanceof ProtocolError && e.code === 'closed' && /reconnecting \(device unplugged\)/.test(e.message));
    await hid.whenConnected();
    assert.equal(hid.reconnects, 1);
    assert.deepEqual((await hid.infer(frame)).output, want, 'the device kept its model across a glitch');
    const loadsBefore = links.length;

    // replugged after losing power: the model is uploaded again
    device.powerCycle();
    links.at(-1)!.host.unplug();
    await hid.whenConnected();
    assert.equal(links.length, loadsBefore + 1);
    assert.equal(device.status().state, 'ready');
    assert.equal(device.status().modelCrc, crc32(encodeModel(model)));
    assert.deepEqual((await hid.infer(frame)).output, want);
    assert.deepEqual(states.filter((s) => s === 'reconnecting').length, 2);
    assert.equal((await hid.status()).state, 'ready');
  } finally {
    await hid.close();
  }
});

test('a device that stops answering: the request times out after its retries', async () => {
  const device = new SoftwareHidDevice();
  const { open } = deviceOpener(device);
  const hid = await createHidBackend(open, { timeoutMs: 15, retries: 2 });
  try {
    device.detach(); // still plugged, never answers
    const before = hid.client!.counters.timeouts; // connecting on a loaded machine may already have needed a retry
    await assert.rejects(hid.load(encodeModel(randomModel(1))), (e: unknown) => e instanceof ProtocolError && e.code === 'timeout' && /no answer to LOAD_BEGIN \(seq \d+\) after 3 attempts of 15 ms/.test(e.message));
    assert.equal(hid.client!.counters.timeouts - before, 3);
  } finally {
    await hid.close();
  }
});

test('as the pipeline’s InferenceEngine, the HID backend gives the simulator’s full statistics and prediction', async () => {
  const { createBackendEngine } = await import('../../src-main/devices/hid');
  const { predict } = await import('../../src-engine/nsoc/prediction');
  const device = new SoftwareHidDevice();
  const hid = await createHidBackend(deviceOpener(device).open, { timeoutMs: 2000 });
  const model = randomModel(11, { maxSize: 10 });
  const engine = await createBackendEngine(hid, encodeModel(model));
  try {
    assert.equal(engine.backend, 'hid-device');
    assert.match(engine.label, /software NSoC/);
    const reference = new NsocRuntime(model, { engine: 'js' });
    for (const density of [0.05, 0.4]) {
      const frame = randomInput(model, 9, density);
      const want = reference.infer(frame);
      const got = await engine.infer(frame, 0);
      assert.deepEqual(got.output, want.output);
      assert.deepEqual({ ...got.stats, path: want.stats.path }, want.stats);
      const p = predict(want, model.labels);
      assert.equal(got.top, p.top);
      assert.deepEqual(got.confidences, p.confidences);
    }
  } finally {
    await engine.close();
  }
});

test('STATUS and RESET over the protocol: the device reports its state and forgets its model on reset', async () => {
  const { decodeStatus } = await import('../../src-main/devices/hid/messages');
  const device = new SoftwareHidDevice();
  const { open, links } = deviceOpener(device);
  const hid = await createHidBackend(open, { timeoutMs: 2000 });
  try {
    const client = new HidClient(links[0].host, { timeoutMs: 2000 });
    assert.equal(decodeStatus(await client.request(Op.STATUS)).state, 'idle');
    const model = randomModel(4, { maxSize: 6 });
    await hid.load(encodeModel(model));
    const st = decodeStatus(await client.request(Op.STATUS));
    assert.equal(st.state, 'ready');
    assert.equal(st.modelCrc, crc32(encodeModel(model)));
    await hid.infer(randomInput(model, 3, 0.2));
    assert.equal(decodeStatus(await client.request(Op.STATUS)).framesProcessed, 1);
    assert.deepEqual(await client.request(Op.RESET), new Uint8Array(0));
    const after = decodeStatus(await client.request(Op.STATUS));
    assert.deepEqual([after.state, after.modelCrc, after.framesProcessed], ['idle', 0, 1]);
    await assert.rejects(hid.infer(randomInput(model, 3, 0.2)), (e: unknown) => e instanceof ProtocolError && e.deviceCode === DeviceErrorCode.NO_MODEL);
    client.dispose();
  } finally {
    await hid.close();
  }
});

test('a model the device cannot run is refused before the upload (host) and at LOAD_END (device)', async () => {
  const device = new SoftwareHidDevice({ identity: { weightBitsMask: 0b0111, name: 'Tiny NSoC' } }); // no 8-bit weights
  const { open, links } = deviceOpener(device);
  const hid = await createHidBackend(open, { timeoutMs: 2000 });
  try {
    let seed = 1;
    let model = randomModel(seed);
    while (!model.layers.some((l) => l.weightBits === 8)) model = randomModel(++seed);
    const bytes = encodeModel(model);
    await assert.rejects(hid.load(bytes), /Tiny NSoC cannot run this model: layer .*: 8-bit weights \(Tiny NSoC supports 1\/2\/4-bit\)/);
    assert.equal(device.status().state, 'idle', 'nothing was sent');
    // a host that skips the check: the device refuses after the transfer
    const client = new HidClient(links[0].host, { timeoutMs: 2000 });
    const begin = new Uint8Array(8);
    new DataView(begin.buffer).setUint32(0, bytes.length, true);
    new DataView(begin.buffer).setUint32(4, crc32(bytes), true);
    await client.request(Op.LOAD_BEGIN, begin);
    for (let off = 0; off < bytes.length; off += 4096) {
      const chunk = bytes.subarray(off, off + 4096);
      const p = new Uint8Array(4 + chunk.length);
      new DataView(p.buffer).setUint32(0, off, true);
      p.set(chunk, 4);
      await client.request(Op.LOAD_CHUNK, p);
    }
    await assert.rejects(client.request(Op.LOAD_END), (e: unknown) => e instanceof ProtocolError && e.deviceCode === DeviceErrorCode.MODEL_INVALID && /needs what this device lacks: layer .*8-bit weights/.test(e.message));
    client.dispose();
  } finally {
    await hid.close();
  }
});
