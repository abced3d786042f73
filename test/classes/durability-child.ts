// Child process of durability.test.ts: enrolls in a loop and prints
// "ack <shotId> <classId> <seed>" on stdout (synchronously) after each commit,
// until it is killed. argv: dbPath firstSeed
import { writeSync } from 'node:fs';
import { openClassStore } from '../../src-main/classes/class-store';
import { fakeModel, shot } from './helpers';

const [dbPath, firstSeed] = process.argv.slice(2);
const store = openClassStore(dbPath);
const model = fakeModel();
store.registerModel(model);
writeSync(1, 'ready\n');
let seed = Number(firstSeed);
let classId: number | null = null;
for (;;) {
  // a new class every third shot, else another shot for the current one
  const r: { id: number; shotId: number } = classId === null || seed % 3 === 0 ? store.enroll(model.id, { name: `visitor ${seed}` }, shot(model, seed, 2000)) : store.enroll(model.id, { classId }, shot(model, seed, 2000));
  classId = r.id;
  writeSync(1, `ack ${r.shotId} ${r.id} ${seed}\n`);
  seed++;
}
