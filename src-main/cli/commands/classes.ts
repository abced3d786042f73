// `neurolive classes [--model M] [--json]`: the classes in the app database,
// per model (all models without --model).
import { parseArgs } from 'node:util';
import { loadModel } from '../../models/load-model';
import { modelRecord } from '../../classes/classifier';
import { CLASS_OPTIONS, openStore, reportClassError } from './enroll';
import { CliUsageError } from './summary';

export const CLASSES_USAGE = `neurolive classes [--model M] [--json] [--db PATH]
                                        the pretrained and enrolled classes per model (database:
                                        --db, else $NEUROLIVE_DB, else the app's)`;

export async function classesCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { db: CLASS_OPTIONS.db, model: CLASS_OPTIONS.model, json: CLASS_OPTIONS.json } });
    if (positionals.length) throw new CliUsageError('classes takes no FILE');
    const store = openStore(values.db);
    try {
      let models = store.models();
      if (values.model) {
        const loaded = await loadModel(values.model);
        store.registerModel(modelRecord(loaded));
        models = models.filter((m) => m.id === loaded.id);
        if (!models.length) models = [store.model(loaded.id)!];
      }
      const out = models.map((m) => ({ model: { id: m.id, name: m.name, task: m.task }, classes: store.list(m.id) }));
      if (values.json) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return 0;
      }
      if (!out.length) process.stdout.write('no models in the database yet (enroll a class, or pass --model)\n');
      for (const { model, classes } of out) {
        process.stdout.write(`${model.name} (${model.task}, ${model.id.slice(0, 12)}…): ${classes.length} classes\n`);
        for (const c of classes) {
          const when = c.origin === 'enrolled' ? ` since ${new Date(c.createdAt).toISOString().slice(0, 16).replace('T', ' ')}` : '';
          const exp = c.expiresAt ? `, expires ${new Date(c.expiresAt).toISOString().slice(0, 16).replace('T', ' ')}` : '';
          process.stdout.write(`  ${String(c.id).padStart(5)}  ${c.colour}  ${c.origin.padEnd(10)}  ${String(c.shots).padStart(3)} shot${c.shots === 1 ? ' ' : 's'}  ${c.name}${when}${exp}\n`);
        }
      }
      return 0;
    } finally {
      store.close();
    }
  } catch (e) {
    return reportClassError(e, CLASSES_USAGE);
  }
}
