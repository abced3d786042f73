/**
 * Rules for every webContents the app ever creates (not only the main
 * window): no <webview>, no new windows, no navigation away from our page.
 */
import type { App } from 'electron';

export function hardenAllContents(app: App): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
