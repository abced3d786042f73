// A narrow bridge: named functions only, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, type NeuroliveApi } from './ipc-contract';

const api: NeuroliveApi = {
  appInfo: () => ipcRenderer.invoke(IPC_CHANNELS.appInfo),
};

contextBridge.exposeInMainWorld('neurolive', api);
