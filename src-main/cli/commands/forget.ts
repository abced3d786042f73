// `neurolive forget NAME [--model M]`: deletes a class and its shots (an
// enrolled one for good; a pretrained one until `reset`).
import { parseArgs } from 'node:util';
import { ApiError } from '../../ipc/contract';
import { loadModel } from '../../models/load-model';
import { CLASS_OPTIONS, openStore, reportClassError } from './enroll';
import { CliUsageError } from './summary';

export const FORGET_USAGE = `neurolive forget NAME [--model M] [--db PATH]
                                        delete a class and its shots (names match ignoring case)`;

export async function forgetCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { db: CLASS_OPTIONS.db, model: CLASS_OPTIONS.model } });
    if (positionals.length !== 1) throw new CliUsageError('forget takes one class NAME');
    const name = positionals[0];
    const store = openStore(values.db);
    try {
      const modelIds = values.model ? [(await loadModel(values.model)).id] : store.models().map((m) => m.id);
      const hits = modelIds.map((id) => store.findByName(id, name)).filter((c) => c !== null);
      if (hits.length === 0) throw new ApiError('not-found', `no class named "${name}"${values.model ? ' for this model' : ''}`);
      if (hits.length > 1) {
        const names = hits.map((c) => store.model(c.modelId)!.name).join(', ');
        throw new ApiError('conflict', `"${name}" is a class of several models (${names}); say which with --model`);
      }
      const c = hits[0];
      store.delete(c.id);
      process.stdout.write(`forgot "${c.name}" (${c.origin}, ${c.shots} shot${c.shots === 1 ? '' : 's'}) of ${store.model(c.modelId)!.name}\n`);
      return 0;
    } finally {
      store.close();
    }
  } catch (e) {
    return reportClassError(e, FORGET_USAGE);
  }
}
