import { openSync, writeSync, closeSync, readFileSync, unlinkSync, renameSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDirFor } from '../contract/local.ts';

/** The OS's per-user application-data folder (contract/local.ts: the `paydesk` command finds it the same way). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return defaultDataDirFor(env, platform, homedir());
}

export class DataDirBusyError extends Error {
  constructor(dir: string, pid: number) {
    super(`Another Paydesk (process ${pid}) is using ${dir}. Stop it first, or start this one with another --data-dir.`);
    this.name = 'DataDirBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One server per data folder: purchases in flight are guarded in memory, so two
 * servers on one ledger could confirm the same purchase twice. A lock left by a
 * process that died (SIGKILL, power loss) is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, 'paydesk.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const stale = readFileSync(path, 'utf8');
      const pid = Number(stale);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DataDirBusyError(dir, pid);
      // Two starters may both find the dead lock: the rename lets only one move it aside,
      // and a starter that moved a live lock by mistake puts it back and gives way.
      const aside = `${path}.${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      if (readFileSync(aside, 'utf8') !== stale) {
        renameSync(aside, path);
        throw new DataDirBusyError(dir, Number(readFileSync(path, 'utf8')));
      }
      unlinkSync(aside);
    }
  }
  throw new Error(`could not lock ${dir}`);
}
