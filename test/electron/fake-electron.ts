// A stand-in for the `electron` module, so electron/main.ts itself (bundled with
// this aliased in) runs under plain Node with a real provider server behind it.
// It records what main asks of Electron and lets a test fire Electron's events.
// It knows nothing of Paydesk; the real app is covered by desktop.e2e.ts.
import { EventEmitter } from 'node:events';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface RecordedEvent {
  readonly url: string;
  prevented: boolean;
  preventDefault(): void;
}

export function electronEvent(url = ''): RecordedEvent {
  const e: RecordedEvent = { url, prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
}

type Handler = (...args: never[]) => unknown;

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  url = '';
  readonly sent: [string, unknown][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  isLoading(): boolean {
    return false;
  }
  getURL(): string {
    return this.url;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
}

export class BrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly calls: string[] = [];
  visible = false;
  focused = false;
  destroyed = false;
  constructor(readonly options: Readonly<Record<string, unknown>>) {
    super();
    fake().windows.push(this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  moveTop(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setAlwaysOnTop(flag: boolean, level?: string): void {
    this.calls.push(`setAlwaysOnTop ${flag} ${level ?? ''}`);
  }
  setVisibleOnAllWorkspaces(flag: boolean): void {
    this.calls.push(`setVisibleOnAllWorkspaces ${flag}`);
  }
  setContentProtection(flag: boolean): void {
    this.calls.push(`setContentProtection ${flag}`);
  }
  setMenu(): void {}
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
  }
}

class FakeApp extends EventEmitter {
  isPackaged = true;
  private readyNow = false;
  private readonly readyPromise: Promise<void>;
  private markReady: () => void = () => {};
  readonly paths = new Map<string, string>();
  constructor() {
    super();
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
  }
  ready(): void {
    this.readyNow = true;
    this.markReady();
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.readyNow;
  }
  getPath(name: string): string {
    const p = this.paths.get(name);
    if (p === undefined) throw new Error(`fake app.getPath: no ${name}`);
    return p;
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  enableSandbox(): void {
    fake().calls.push('enableSandbox');
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  setAsDefaultProtocolClient(...args: unknown[]): boolean {
    fake().calls.push(`setAsDefaultProtocolClient ${JSON.stringify(args)}`);
    return true;
  }
  setBadgeCount(): boolean {
    return true;
  }
  quit(): void {
    fake().calls.push('quit');
  }
  exit(code: number): void {
    fake().calls.push(`exit ${code}`);
  }
}

function makeState() {
  const userKey = randomBytes(32);
  return {
    app: new FakeApp(),
    windows: [] as BrowserWindow[],
    calls: [] as string[],
    ipcHandlers: new Map<string, Handler>(),
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    privilegedSchemes: [] as unknown[],
    notifications: [] as { title: string; body: string }[],
    trays: [] as Tray[],
    openedExternally: [] as string[],
    errors: [] as string[],
    session: {} as Record<string, Handler>,
    userKey,
  };
}

export type FakeElectronState = ReturnType<typeof makeState>;

/** One state per process, shared by the copy bundled into main and the test's own import. */
export function fake(): FakeElectronState {
  const g = globalThis as { __paydeskFakeElectron?: FakeElectronState };
  g.__paydeskFakeElectron ??= makeState();
  return g.__paydeskFakeElectron;
}

export const app = fake().app;

export class Tray extends EventEmitter {
  tooltip = '';
  menu: unknown = null;
  constructor() {
    super();
    fake().trays.push(this);
  }
  setToolTip(t: string): void {
    this.tooltip = t;
  }
  setTitle(): void {}
  setContextMenu(m: unknown): void {
    this.menu = m;
  }
}

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  constructor(private readonly opts: { title: string; body: string }) {
    super();
  }
  show(): void {
    fake().notifications.push(this.opts);
  }
}

export const Menu = { buildFromTemplate: (template: unknown) => template };
export const dialog = { showErrorBox: (title: string, text: string) => void fake().errors.push(`${title}: ${text}`) };
export const ipcMain = { handle: (channel: string, h: Handler) => void fake().ipcHandlers.set(channel, h) };
export const nativeImage = { createFromDataURL: (url: string) => ({ url }) };
export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown[]) => void fake().privilegedSchemes.push(...schemes),
  handle: (scheme: string, h: (request: Request) => Promise<Response>) => void fake().protocolHandlers.set(scheme, h),
};
export const shell = { openExternal: async (url: string) => void fake().openedExternally.push(url) };
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h: Handler) => void (fake().session.request = h),
    setPermissionCheckHandler: (h: Handler) => void (fake().session.check = h),
    setDevicePermissionHandler: (h: Handler) => void (fake().session.device = h),
  },
};

/** An OS keystore for one user: AES-GCM under a per-process key. */
export const safeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString(plain: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', fake().userKey, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  },
  decryptString(sealed: Buffer): string {
    const d = createDecipheriv('aes-256-gcm', fake().userKey, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
  },
};
