// Preload of the console window. Sandboxed (CommonJS, may only require 'electron'):
// it exposes `window.paydesk`, one function per action of consoleContract, and
// nothing raw: no ipcRenderer, no generic invoke, no event objects.
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge, consoleContract } from '../contract/bridge.ts';

contextBridge.exposeInMainWorld('paydesk', buildBridge(consoleContract, ipcRenderer));
