// The typed contract between the renderer and the main process. The preload
// exposes exactly this API; the browser host (later) serves the same over a
// WebSocket, so the renderer never knows which one it talks to.
export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' inside the desktop app, 'browser' behind the web host */
  runtime: 'electron' | 'browser';
  platform: string;
}

export interface NeuroliveApi {
  appInfo(): Promise<AppInfo>;
}

export const IPC_CHANNELS = {
  appInfo: 'neurolive:app-info',
} as const;
