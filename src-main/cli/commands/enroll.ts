// `neurolive enroll --model M --class NAME FILE…`: teaches a class from files,
// one shot per file, stored in the app database (the app sees it at once).
// Each file goes through the model's encoder (events; .wav through the
// cochlea; .y4m through the DVS emulator) and the busiest window becomes the
// shot: its events are stored raw and its embedding teaches the learner.
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { DEFAULT_SETTINGS, unknownThresholdFor } from '../../settings/store';
import { ApiError, type LearnerKind } from '../../ipc/contract';
import { openClassStore, type ClassStore } from '../../classes/class-store';
import { ClassClassifier } from '../../classes/classifier';
import { busiestFrame, eventsInWindow } from '../../classes/features';
import { framesOfFile } from '../../classes/file-shots';
import { DatabaseVersionError, defaultDbPath } from '../../db';
import { loadModel, ModelLoadError, type LoadedModel } from '../../models/load-model';
import { SnippetError } from '../../classes/snippet-codec';
import { CliUsageError, reportError } from './summary';

export const ENROLL_USAGE = `neurolive enroll --model M --class NAME FILE… [--colour #rrggbb] [--db PATH] [--json]
                                        teach a class (new, or more shots for an existing one) from event
                                        files, .wav or .y4m: one shot per file, its busiest model window`;

/** --db, --model, --learner and --threshold, shared by enroll / classes / forget / classify */
export const CLASS_OPTIONS = {
  db: { type: 'string' },
  model: { type: 'string' },
  learner: { type: 'string' },
  threshold: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export function learnerOption(v: string | undefined): LearnerKind {
  const k = v ?? DEFAULT_SETTINGS.learner;
  if (k !== 'ncm' && k !== 'binary-fc') throw new CliUsageError(`--learner must be ncm or binary-fc, not '${k}'`);
  return k;
}

export function thresholdOption(v: string | undefined, learner: LearnerKind = DEFAULT_SETTINGS.learner): number {
  if (v === undefined) return unknownThresholdFor({ ...DEFAULT_SETTINGS, learner });
  const t = Number(v);
  if (!(t >= 0 && t <= 1)) throw new CliUsageError(`--threshold must be a number from 0 to 1, not '${v}'`);
  return t;
}

export function openStore(db: string | undefined): ClassStore {
  return openClassStore(defaultDbPath(db));
}

/** A model (name or folder) and its classifier over the database's classes. */
export async function openClassifier(values: { db?: string; model?: string; learner?: string; threshold?: string }): Promise<{ store: ClassStore; loaded: LoadedModel; classifier: ClassClassifier }> {
  if (!values.model) throw new CliUsageError('--model M is needed (a model name such as gesture, or a model folder)');
  const learner = learnerOption(values.learner);
  const unknownThreshold = thresholdOption(values.threshold, learner);
  const loaded = await loadModel(values.model);
  const store = openStore(values.db);
  try {
    return { store, loaded, classifier: await ClassClassifier.open(store, loaded, { learner, unknownThreshold }) };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** class-store and model errors are the user's input: message and exit code 2 */
export function reportClassError(e: unknown, usage: string): number {
  if (e instanceof ApiError || e instanceof ModelLoadError || e instanceof DatabaseVersionError || e instanceof SnippetError) {
    process.stderr.write(`neurolive: ${e.message}\n`);
    return 2;
  }
  return reportError(e, usage);
}

export async function enrollCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...CLASS_OPTIONS, class: { type: 'string' }, colour: { type: 'string' } } });
    if (values.class === undefined) throw new CliUsageError('enroll needs --class NAME');
    if (positionals.length === 0) throw new CliUsageError('enroll takes one or more FILEs (one shot each)');
    const { store, loaded, classifier } = await openClassifier(values);
    try {
      let cls = store.findByName(loaded.id, values.class);
      const results = [];
      for (const file of positionals) {
        const ff = await framesOfFile(loaded, file, `enrolling ${basename(file)}`);
        const frame = busiestFrame(ff.frames);
        if (!frame || frame.events === 0) throw new RangeError(`${file}: no events in any window of the model's input, nothing to learn from`);
        const features = classifier.embed(frame.data).features;
        const events = eventsInWindow(ff.events, frame.tStartUs, frame.tEndUs);
        const target = cls ? { classId: cls.id, colour: values.colour } : { name: values.class, colour: values.colour };
        const r = classifier.enroll(target, { events, geometry: ff.geometry, features });
        cls = r;
        const row = { file, classId: r.id, name: r.name, shots: r.shots, shotId: r.shotId, window: [frame.tStartUs, frame.tEndUs], events: events.length, learnMs: r.learnMs };
        results.push(row);
        if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
        else {
          process.stdout.write(
            `${file}: "${r.name}" shot ${r.shots} (class ${r.id}, ${r.origin}) from the window ${(frame.tStartUs / 1e6).toFixed(3)}–${(frame.tEndUs / 1e6).toFixed(3)} s, ` +
              `${events.length.toLocaleString('en-US')} events; learned and committed in ${r.learnMs.toFixed(1)} ms\n`,
          );
        }
      }
      return 0;
    } finally {
      store.close();
    }
  } catch (e) {
    return reportClassError(e, ENROLL_USAGE);
  }
}
