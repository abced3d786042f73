/**
 * The desktop app's API: the preload (src-main/preload.ts) has already built
 * it with createApi over Electron IPC and a MessagePort for media, and exposed
 * it as window.neurolive through contextBridge.
 */
import type { NeuroliveApi } from '../../../src-main/ipc/contract';

declare global {
  interface Window {
    neurolive?: NeuroliveApi;
  }
}

export function electronApi(): NeuroliveApi | null {
  return typeof window !== 'undefined' && window.neurolive ? window.neurolive : null;
}
