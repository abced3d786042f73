/**
 * The main window's options in one pure function, so the security settings
 * are asserted by tests (and visible in one place): an isolated, sandboxed
 * renderer without Node, web security on, no webviews, dev tools only in
 * development outside kiosk mode.
 */
export interface WindowOptionsInput {
  preload: string;
  kiosk: boolean;
  packaged: boolean;
}

export function mainWindowOptions({ preload, kiosk, packaged }: WindowOptionsInput) {
  return {
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    backgroundColor: '#0d1117',
    show: false,
    kiosk,
    autoHideMenuBar: true,
    title: 'Neurolive',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !packaged && !kiosk,
    },
  };
}
