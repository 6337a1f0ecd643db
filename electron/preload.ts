/** Preload: exposes `window.hourglass`, one function per renderer method, and nothing else. */
import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './preload-api.ts';

contextBridge.exposeInMainWorld(
  'hourglass',
  buildPreloadApi((channel, input) => ipcRenderer.invoke(channel, input)),
);
