import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './local-input.ts';

/**
 * One cval command at a time per output folder. Two runs on one `--out` would start two sets of
 * embedded servers on the same state files and mirror over each other's lake, so the second one is
 * refused up front, naming the process that holds the folder.
 *
 * The lock is a file created with `wx` (fails if it exists, atomically, on every platform Node runs
 * on) holding the holder's pid. A crashed or killed holder leaves the file behind; its pid no longer
 * runs, so the next command takes the lock over instead of asking someone to delete a file.
 */
export const LOCK_FILE = '.cval.lock';

/** A lock file with no pid yet is one being written: younger than this, it is left alone. */
const BEING_WRITTEN_MS = 10_000;

export class OutFolderInUseError extends UsageError {
  constructor(
    readonly outDir: string,
    readonly pid: number | null,
    readonly command: string | null,
  ) {
    const holder =
      pid === null ? 'another cval command' : command ? `cval ${command} (pid ${pid})` : `pid ${pid}`;
    super(`${outDir} is in use by ${holder}: wait for it to finish, or use another --out`);
  }
}

export interface OutLock {
  /** Removes the lock file if it is still this process's; safe to call more than once. */
  release(): void;
}

interface Holder {
  pid: number;
  command: string | null;
}

/** Lock paths this process holds: a leftover file naming our own pid is from an earlier process. */
const held = new Set<string>();

/**
 * Takes `<outDir>/.cval.lock` for `command`, creating the folder when `create` is set. Without
 * `create`, a folder that does not exist needs no lock (the command will find nothing to work on).
 * @throws OutFolderInUseError (a UsageError: exit 2) when a running process holds the folder.
 */
export function acquireOutLock(outDir: string, command: string, options: { create: boolean }): OutLock {
  const existed = existsSync(outDir);
  if (!existed && !options.create) return { release() {} };
  if (!existed) mkdirSync(outDir, { recursive: true });
  const path = join(outDir, LOCK_FILE);
  // Each pass either takes the lock, finds a live holder, or removes a stale file; a few passes
  // cover another process removing or taking the same stale file at the same moment.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, command)) return holdLock(path, existed ? null : outDir);
    const content = readLock(path);
    if (content === undefined) continue;
    const holder = parseHolder(content);
    if (holder === null) {
      if (ageMs(path) < BEING_WRITTEN_MS) throw new OutFolderInUseError(outDir, null, null);
    } else if (isRunning(holder.pid) && !(holder.pid === process.pid && !held.has(path))) {
      throw new OutFolderInUseError(outDir, holder.pid, holder.command);
    }
    removeStale(path, content, outDir);
  }
  throw new OutFolderInUseError(outDir, null, null);
}

/** Runs `work` holding the folder's lock, released however `work` ends. */
export async function withOutLock<T>(
  outDir: string,
  command: string,
  options: { create: boolean },
  work: () => Promise<T>,
): Promise<T> {
  const lock = acquireOutLock(outDir, command, options);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

function tryCreate(path: string, command: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify({ pid: process.pid, command })}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** `createdDir`: the folder the lock created, removed again if the command left nothing in it. */
function holdLock(path: string, createdDir: string | null): OutLock {
  held.add(path);
  // An exit without the finally running (process.exit, a signal turned into one) still frees the folder.
  const onExit = () => release();
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  function release() {
    if (!held.delete(path)) return;
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Only our own file: if it was taken over meanwhile, it is someone else's now.
    if (parseHolder(readLock(path) ?? '')?.pid === process.pid) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to free.
      }
    }
    if (createdDir) {
      try {
        rmdirSync(createdDir);
      } catch {
        // Not empty: the command wrote its outputs there.
      }
    }
  }
  return { release };
}

/** The lock file's text, or undefined when it has gone (its holder just finished). */
function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(content: string): Holder | null {
  try {
    const parsed = JSON.parse(content) as { pid?: unknown; command?: unknown };
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return null;
    return { pid: parsed.pid, command: typeof parsed.command === 'string' ? parsed.command : null };
  } catch {
    return null;
  }
}

/** Signal 0 checks a process exists without touching it; EPERM means it exists but is not ours. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Moves the stale file aside before deleting it, so that of two processes clearing it at once only
 * one succeeds. If what was moved is no longer the stale content (another process had already
 * cleared it and taken the lock), it is put back and the folder is in use.
 */
function removeStale(path: string, staleContent: string, outDir: string): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readLock(aside);
  if (moved !== staleContent) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process took the lock meanwhile; either way the folder is in use.
    }
    unlinkSync(aside);
    const holder = parseHolder(moved ?? '');
    throw new OutFolderInUseError(outDir, holder?.pid ?? null, holder?.command ?? null);
  }
  unlinkSync(aside);
}
