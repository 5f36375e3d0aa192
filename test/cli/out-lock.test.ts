import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireOutLock,
  LOCK_FILE,
  OutFolderInUseError,
  withOutLock,
} from '../../functions/local/out-lock.ts';
import { UsageError } from '../../functions/local/run-local.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has finished (and so cannot hold anything). */
function finishedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('the output folder lock', () => {
  it('a second command on the same folder is refused as bad input, naming the holder', () => {
    const lock = acquireOutLock(dir, 'run', { create: true });
    let refusal: unknown;
    try {
      acquireOutLock(dir, 'targets', { create: true });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(OutFolderInUseError);
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as Error).message).toBe(
      `${dir} is in use by cval run (pid ${process.pid}): wait for it to finish, or use another --out`,
    );
    lock.release();
    acquireOutLock(dir, 'targets', { create: true }).release();
  });

  it('holds the pid in the lock file and removes it when released, however the work ends', async () => {
    await withOutLock(dir, 'run', { create: true }, async () => {
      expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toEqual({
        pid: process.pid,
        command: 'run',
      });
    });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await expect(
      withOutLock(dir, 'run', { create: true }, async () => {
        throw new Error('the run failed');
      }),
    ).rejects.toThrow('the run failed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const pid = finishedPid();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, command: 'run' }));
    const lock = acquireOutLock(dir, 'targets', { create: true });
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toEqual({
      pid: process.pid,
      command: 'targets',
    });
    lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves a lock with no pid alone while it may still be being written, and clears it once old', async () => {
    const path = join(dir, LOCK_FILE);
    await writeFile(path, '');
    expect(() => acquireOutLock(dir, 'run', { create: true })).toThrow(
      `${dir} is in use by another cval command`,
    );
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path, hourAgo, hourAgo);
    acquireOutLock(dir, 'run', { create: true }).release();
  });

  it('does not remove a lock that another process took over meanwhile', async () => {
    const lock = acquireOutLock(dir, 'run', { create: true });
    const other = JSON.stringify({ pid: 1, command: 'run' });
    await writeFile(join(dir, LOCK_FILE), other);
    lock.release();
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(other);
  });

  it('creates the folder when asked, removes it again if nothing was written, and needs no lock for a missing folder otherwise', async () => {
    const out = join(dir, 'new', 'out');
    const lock = acquireOutLock(out, 'run', { create: true });
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    lock.release();
    expect(existsSync(out)).toBe(false);
    acquireOutLock(out, 'targets', { create: false }).release();
    expect(existsSync(out)).toBe(false);
  });
});
