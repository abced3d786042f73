import type { NeuroliveApi } from '../../src-main/ipc/contract';

declare global {
  interface Window {
    neurolive?: NeuroliveApi;
  }
}

/** The API the preload (desktop) or the browser host exposes. */
export function getApi(): NeuroliveApi | undefined {
  return window.neurolive;
}
