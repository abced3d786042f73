// `neurolive` — the headless command line. Each command lives in commands/.
import { parseArgs } from 'node:util';
import { EventFormatError } from '../../src-engine/formats/errors';
import { classifyCommand, CLASSIFY_USAGE } from './commands/classify';
import { classesCommand, CLASSES_USAGE } from './commands/classes';
import { enrollCommand, ENROLL_USAGE } from './commands/enroll';
import { forgetCommand, FORGET_USAGE } from './commands/forget';
import { convertFile } from './commands/convert';
import { convertModelCommand, CONVERT_MODEL_USAGE } from './commands/convert-model';
import { datasetCommand, DATASET_USAGE } from './commands/dataset';
import { framesCommand, FRAMES_USAGE } from './commands/frames';
import { fileInfo, formatInfo } from './commands/info';
import { summaryCommand, SUMMARY_USAGE } from './commands/summary';
import { liveCommand, LiveUsageError, LIVE_USAGE } from '../pipeline/live-cli';
import { SpeechToolError } from '../media/speech';

const USAGE = `neurolive — event sensors and live neuromorphic learning

Usage:
  neurolive info FILE [--json]          format, sensor size, events, time span, rate
  neurolive convert IN OUT              convert between formats (OUT's extension picks the format:
                                        .aedat4/.aedat .npy .csv .evt3/.raw .evt2 .dat .aedat2 .aedat3)
  ${FRAMES_USAGE}

The simulated neuromorphic processor (NSoC; models are .nlm files, docs/NSOC.md):
  ${SUMMARY_USAGE}
  ${LIVE_USAGE}
  ${CLASSIFY_USAGE}
  ${CONVERT_MODEL_USAGE}

Edge learning (classes live in the app database; docs/LEARNING.md):
  ${ENROLL_USAGE}
  ${CLASSES_USAGE}
  ${FORGET_USAGE}

Datasets (docs/DATASETS.md):
  ${DATASET_USAGE}

Formats read (detected from the header): AEDAT 2.0 (jAER DVS128/DAVIS), AEDAT 3.1, AEDAT 4.0,
Prophesee EVT 2.0 / EVT 3.0 / .dat, NumPy .npy, CSV.`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 64;
  }
  try {
    switch (command) {
      case 'info': {
        const { values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, allowPositionals: true });
        if (positionals.length !== 1) throw new UsageError('info takes one FILE');
        const info = await fileInfo(positionals[0]);
        process.stdout.write(values.json ? `${JSON.stringify(info)}\n` : `${formatInfo(info)}\n`);
        return 0;
      }
      case 'convert': {
        const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true });
        if (positionals.length !== 2) throw new UsageError('convert takes IN and OUT');
        const r = await convertFile(positionals[0], positionals[1]);
        process.stdout.write(`${r.count.toLocaleString('en-US')} events, ${r.width}×${r.height}: ${r.format} → ${r.outFormat} ${positionals[1]}\n`);
        return 0;
      }
      case 'frames':
        return await framesCommand(rest);
      case 'live':
        return await liveCommand(rest);
      case 'summary':
        return await summaryCommand(rest);
      case 'classify':
        return await classifyCommand(rest);
      case 'enroll':
        return await enrollCommand(rest);
      case 'classes':
        return await classesCommand(rest);
      case 'forget':
        return await forgetCommand(rest);
      case 'convert-model':
        return await convertModelCommand(rest);
      case 'dataset':
        return await datasetCommand(rest);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof LiveUsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`neurolive: ${e.message}\n\n${USAGE}\n`);
      return 64;
    }
    if (e instanceof EventFormatError) {
      process.stderr.write(`neurolive: ${e.message}\n`);
      return 2;
    }
    // a missing speech tool or voice (dataset keywords): the message names the Debian package, a stack trace would bury it
    if (e instanceof SpeechToolError && e.missing) {
      process.stderr.write(`neurolive: ${e.message}\n`);
      return 69;
    }
    if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      process.stderr.write(`neurolive: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}
