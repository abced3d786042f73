import { errorMessage } from './api';
import { toast } from './toasts.svelte';

/**
 * Runs an API call; a failure becomes a readable toast instead of an
 * unhandled rejection. Resolves to undefined on failure.
 */
export async function call<T>(p: Promise<T>, success?: string): Promise<T | undefined> {
  try {
    const r = await p;
    if (success) toast(success, 'success');
    return r;
  } catch (e) {
    toast(errorMessage(e), 'error');
    return undefined;
  }
}
