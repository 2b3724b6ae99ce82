// Checkpoints off the event loop. In WAL mode SQLite copies the WAL back into
// the database file (a checkpoint, with its own fsyncs) from inside whichever
// COMMIT pushes the WAL past wal_autocheckpoint pages: on a busy server that was
// a third of every COMMIT's time on the only thread (bench/purchases.ts). A
// worker thread with its own connection runs PASSIVE checkpoints instead, which
// never block the writer; the main connection's own autocheckpoint stays as a
// safety net, far out, for a worker that falls behind.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './open.ts';

/** Pages the WAL may hold before the main connection checkpoints by itself (about 80 MB). */
const SAFETY_AUTOCHECKPOINT_PAGES = 20_000;

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  readonly log: number;
  readonly checkpointed: number;
}

export interface Checkpointer {
  /** Runs a checkpoint now (tests, and before a backup). */
  checkpointNow(): Promise<CheckpointResult>;
  stop(): Promise<void>;
}

// Plain CommonJS, so it runs the same from tsx, from the desktop bundle and from a
// packaged app; better-sqlite3 is resolved by the parent and passed in.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
const run = () => {
  const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  return { log: r.log, checkpointed: r.checkpointed };
};
const timer = setInterval(() => {
  try { run(); } catch (e) { parentPort.postMessage({ type: 'error', message: String(e && e.message || e) }); }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m.type === 'now') {
    try { parentPort.postMessage({ type: 'result', id: m.id, result: run() }); }
    catch (e) { parentPort.postMessage({ type: 'result', id: m.id, error: String(e && e.message || e) }); }
  } else if (m.type === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export function startCheckpointer(db: Db, options: { readonly intervalMs?: number; readonly nativeBinding?: string; readonly log: (line: string) => void }): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: db.name,
      nativeBinding: options.nativeBinding,
      intervalMs: options.intervalMs ?? 100,
    },
  });
  // Never the reason a process stays up: stop() is the orderly end.
  worker.unref();
  const waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let reported = false;
  let stopped = false;
  worker.on('message', (m: { type: 'error'; message: string } | { type: 'result'; id: number; result?: CheckpointResult; error?: string }) => {
    if (m.type === 'error') {
      // Busy or failing checkpoints leave the WAL to the safety net; say so once.
      if (!reported) options.log(`checkpoints of ${db.name} fail (${m.message}); SQLite checkpoints from the server's own connection instead`);
      reported = true;
      return;
    }
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (m.result) w?.resolve(m.result);
    else w?.reject(new Error(m.error));
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (e) => options.log(`checkpoint worker for ${db.name} stopped: ${e.message}`));
  return {
    checkpointNow: () => new Promise((resolve, reject) => {
      if (stopped) {
        reject(new Error('the checkpointer stopped'));
        return;
      }
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      // An answer awaited keeps the process up until it comes.
      worker.ref();
      worker.postMessage({ type: 'now', id });
    }),
    async stop() {
      if (stopped) return exited;
      stopped = true;
      worker.ref();
      worker.postMessage({ type: 'stop' });
      await exited;
      for (const w of waiting.values()) w.reject(new Error('the checkpointer stopped'));
      waiting.clear();
    },
  };
}
