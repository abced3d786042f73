/** A method's failure as it crosses a process boundary: {code, message}, never a stack. */
import { ApiError } from '../ipc/contract';

const ERROR_CODES = new Set(['invalid-argument', 'not-found', 'conflict', 'unavailable', 'internal', 'forbidden']);

export function toErrorShape(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError || (e instanceof Error && ERROR_CODES.has((e as { code?: string }).code ?? ''))) {
    return { code: (e as ApiError).code, message: e.message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: message.split('\n')[0].slice(0, 500) };
}
