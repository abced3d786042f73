// A narrow bridge: the contract's named functions only, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from './ipc/client';
import type { MediaName, MethodName, TopicName, Transport } from './ipc/contract';

const transport: Transport = {
  invoke: (method: MethodName, arg: unknown) => ipcRenderer.invoke('neurolive:invoke', method, arg),
  subscribe: (topic: TopicName, listener: (payload: unknown) => void) => {
    const channel = `neurolive:topic:${topic}`;
    const wrapped = (_e: unknown, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
  send: (media: MediaName, payload: unknown) => ipcRenderer.send(`neurolive:media:${media}`, payload),
};

contextBridge.exposeInMainWorld('neurolive', createApi(transport));
