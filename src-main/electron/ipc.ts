/**
 * Electron IPC around the AppCore: one invoke handler (sender checked, then
 * the core parses the argument with the contract's schema), topic pushes to
 * the subscribed topics only, and media frames from a MessagePort pair made
 * per page load. Electron's ipcMain and MessageChannelMain are passed in, so
 * this runs against fakes in tests (test/electron/ipc.test.ts).
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, MessageChannelMain, MessagePortMain, WebContents } from 'electron';
import { TOPICS, type MediaName, type TopicName } from '../ipc/contract';
import type { HostedCore } from '../web/host';
import { toErrorShape } from '../web/error-shape';
import { CHANNEL, type Envelope } from './channels';
import { checkSender } from './sender';

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'on' | 'removeHandler' | 'removeAllListeners'>;
  MessageChannelMain: new () => Pick<MessageChannelMain, 'port1' | 'port2'>;
  core: HostedCore;
  /** the main window's webContents, or null while there is none */
  contents: () => WebContents | null;
  trustedOrigins: readonly string[];
  log: (line: string) => void;
}

const MEDIA: ReadonlySet<string> = new Set<MediaName>(['video', 'audio']);

export function wireIpc({ ipcMain, MessageChannelMain, core, contents, trustedOrigins, log }: IpcOptions): () => void {
  let topics = new Set<TopicName>();
  let mediaPort: MessagePortMain | null = null;
  let eventsPort: MessagePortMain | null = null;
  let eventsOff: (() => void) | null = null;
  let refused = 0;

  function allowed(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
    const wc = contents();
    const decision = checkSender(event.senderFrame, wc && !wc.isDestroyed() && event.sender === wc ? wc.mainFrame : null, trustedOrigins);
    if (!decision.ok && ++refused <= 20) log(`refused IPC: ${decision.reason}`);
    return decision.ok;
  }

  ipcMain.handle(CHANNEL.invoke, async (event, method: unknown, arg: unknown): Promise<Envelope> => {
    if (!allowed(event)) return { ok: false, error: { code: 'forbidden', message: 'this page may not call the app' } };
    try {
      return { ok: true, result: await core.invoke(method as never, arg) };
    } catch (e) {
      return { ok: false, error: toErrorShape(e) };
    }
  });

  ipcMain.on(CHANNEL.subscribe, (event, list: unknown) => {
    if (!allowed(event) || !Array.isArray(list)) return;
    topics = new Set(list.filter((t): t is TopicName => typeof t === 'string' && (TOPICS as readonly string[]).includes(t)));
    refreshCoreSubscriptions();
  });

  // A new page (first load, reload, crash recovery) says hello: fresh subscriptions and a fresh media port.
  ipcMain.on(CHANNEL.hello, (event) => {
    if (!allowed(event)) return;
    topics = new Set();
    refreshCoreSubscriptions();
    mediaPort?.close();
    const { port1, port2 } = new MessageChannelMain();
    mediaPort = port1;
    port1.on('message', ({ data }) => {
      const m = data as { name?: unknown; payload?: unknown } | null;
      if (m && typeof m.name === 'string' && MEDIA.has(m.name)) core.media(m.name as MediaName, m.payload);
    });
    port1.start();
    event.sender.postMessage(CHANNEL.mediaPort, null, [port2]);
    openEventsPort(event.sender);
  });

  // event chunks straight to the page's event-feed worker, on their own port
  function closeEventsPort(): void {
    eventsOff?.();
    eventsOff = null;
    eventsPort?.close();
    eventsPort = null;
  }
  function openEventsPort(sender: { postMessage: WebContents['postMessage'] }): void {
    closeEventsPort();
    const { port1, port2 } = new MessageChannelMain();
    eventsPort = port1;
    port1.on('message', ({ data }) => {
      const want = (data as { subscribe?: unknown } | null)?.subscribe;
      if (want === true && !eventsOff) eventsOff = core.on('events', (chunk) => port1.postMessage(chunk));
      else if (want === false) {
        eventsOff?.();
        eventsOff = null;
      }
    });
    port1.start();
    sender.postMessage(CHANNEL.eventsPort, null, [port2]);
  }

  // hold a core subscription only for the topics the page listens to (the core skips unwanted work)
  const coreSubs = new Map<TopicName, () => void>();
  function refreshCoreSubscriptions(): void {
    for (const [topic, off] of coreSubs) {
      if (topics.has(topic)) continue;
      off();
      coreSubs.delete(topic);
    }
    for (const topic of topics) {
      if (coreSubs.has(topic)) continue;
      coreSubs.set(
        topic,
        core.on(topic, (payload) => {
          const wc = contents();
          if (wc && !wc.isDestroyed()) wc.send(CHANNEL.topicPrefix + topic, payload);
        }),
      );
    }
  }

  return () => {
    topics = new Set();
    refreshCoreSubscriptions();
    ipcMain.removeHandler(CHANNEL.invoke);
    ipcMain.removeAllListeners(CHANNEL.subscribe);
    ipcMain.removeAllListeners(CHANNEL.hello);
    mediaPort?.close();
    closeEventsPort();
  };
}
