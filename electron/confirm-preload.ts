// Preload of the trusted confirmation window: the smallest bridge, confirmContract
// (the connection, and closing itself when the purchase is confirmed or cancelled).
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge, confirmContract } from '../contract/bridge.ts';

contextBridge.exposeInMainWorld('paydesk', buildBridge(confirmContract, ipcRenderer));
