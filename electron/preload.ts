/** Preload: exposes `window.hourglass`, one function per renderer method plus `onPush`, nothing else. */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildPreloadApi } from './preload-api.ts';

contextBridge.exposeInMainWorld(
  'hourglass',
  buildPreloadApi(
    (channel, input) => ipcRenderer.invoke(channel, input),
    (channel, listener) => {
      // The raw event never reaches the page: it carries `sender`, a way back into IPC.
      const wrapped = (_event: IpcRendererEvent, message: unknown) => listener(message);
      ipcRenderer.on(channel, wrapped);
      return () => ipcRenderer.removeListener(channel, wrapped);
    },
  ),
);
