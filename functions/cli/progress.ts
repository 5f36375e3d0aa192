import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import stringWidth from 'string-width';
import type { ProgressAmounts, ProgressEvent } from '../local/progress-events.ts';

/**
 * Progress of long work on stderr, per step (upload, ingest, compute, publish): what is done (exports,
 * rows, bytes), the rate and an estimate of the time left. On a terminal, one line rewritten in
 * place; in a pipe or a log, plain lines at most one every `intervalMs` (2 s). Each step ends with
 * one line of what it did, in both. stdout is never written, so `--json` stays clean; `--quiet`
 * turns it all off.
 */
export interface ProgressOptions {
  quiet?: boolean;
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  now?: () => number;
  /** Least time between two lines when not on a terminal. */
  intervalMs?: number;
  /** Refresh the line while a step runs without events (elapsed time, estimate); off in tests. */
  heartbeat?: boolean;
  /** Sizes of the exports by key (see exportSizes), so ingest steps named in words count bytes. */
  exportSizes?: ReadonlyMap<string, number>;
}

export interface ProgressReporter {
  /** A structured event (run-local's onProgressEvent). */
  event(event: ProgressEvent): void;
  /** A step named in words (run-local's onProgress): read into an event, ignored once events come. */
  step(text: string): void;
  /** Redraws the line if due: called by the heartbeat timer, or by a test. */
  tick(): void;
  /** Ends the current step (its summary line) and clears the terminal line. */
  done(): void;
}

interface StepState {
  step: string;
  startedAt: number;
  item?: string;
  done: ProgressAmounts;
  total: ProgressAmounts;
}

const TTY_REFRESH_MS = 100;
const ITEM_NOUN: Record<string, string> = {
  upload: 'files',
  ingest: 'exports',
  compute: 'tables',
  publish: 'files',
};

export function progressReporter(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = tty ? TTY_REFRESH_MS : (options.intervalMs ?? 2000);
  let current: StepState | undefined;
  // A log gets its first line after `interval` of work, then one per `interval` at most.
  let lastLineAt = tty ? Number.NEGATIVE_INFINITY : now();
  let onLine = false;
  let structured = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const read = stepReader(options.exportSizes);

  const write = (text: string, live: boolean) => {
    lastLineAt = now();
    if (tty) {
      stream.write(`\r\x1b[2K${text}${live ? '' : '\n'}`);
      onLine = live;
    } else {
      stream.write(`${text}\n`);
    }
  };
  const draw = (force: boolean) => {
    if (!current) return;
    if (!force && now() - lastLineAt < interval) return;
    // A line longer than the terminal would wrap, and \r would rewrite only its last part.
    const line = liveLine(current, now());
    write(tty && stream.columns ? fitToWidth(line, stream.columns - 1) : line, true);
  };
  const finish = () => {
    if (!current) return;
    write(summaryLine(current, now()), false);
    current = undefined;
  };
  const event = (e: ProgressEvent) => {
    if (current && current.step !== e.step) finish();
    if (!current) {
      current = { step: e.step, startedAt: now(), done: {}, total: {} };
      // A terminal shows the new step at once; a log gets its line when the throttle allows.
      if (tty) lastLineAt = Number.NEGATIVE_INFINITY;
    }
    current.done = { ...current.done, ...e.done };
    current.total = { ...current.total, ...e.total };
    current.item = e.item;
    if (e.finished) finish();
    else draw(false);
  };

  if (options.quiet) return { event() {}, step() {}, tick() {}, done() {} };
  if (options.heartbeat !== false) {
    timer = setInterval(() => draw(false), tty ? 1000 : interval);
    timer.unref();
  }
  return {
    event(e) {
      structured = true;
      event(e);
    },
    step(text) {
      if (!structured) for (const e of read(text)) event(e);
    },
    tick: () => draw(false),
    done() {
      if (timer) clearInterval(timer);
      finish();
      if (onLine) stream.write('\r\x1b[2K');
    },
  };
}

/** The sizes of the files under `dir` by key (path relative to `dir` with /), as uploaded. */
export async function exportSizes(dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const size = await lstat(path).then(
      (s) => s.size,
      () => 0,
    );
    sizes.set(relative(dir, path).split(sep).join('/'), size);
  }
  return sizes;
}

/**
 * Reads run-local's steps in words ("ingesting <key> (3/7)") as events. A step ends when the next
 * begins, having done all it had to: the bytes ingested are the sizes of the keys ingested.
 */
export function stepReader(
  sizes: ReadonlyMap<string, number> = new Map(),
): (text: string) => ProgressEvent[] {
  let current: ProgressEvent | undefined;
  let ingested = 0;
  let previous: string | undefined;
  const next = (event: ProgressEvent): ProgressEvent[] => {
    const ended: ProgressEvent[] = [];
    if (current && current.step !== event.step) {
      const done = { ...current.done, ...current.total };
      if (current.step === 'ingest' && previous !== undefined && sizes.has(previous)) {
        done.bytes = ingested + (sizes.get(previous) ?? 0);
      }
      ended.push({ step: current.step, done, finished: true });
    }
    current = event;
    return [...ended, event];
  };
  return (text) => {
    if (/^uploading/.test(text)) {
      const bytes = [...sizes.values()].reduce((a, b) => a + b, 0);
      return next({ step: 'upload', done: {}, total: sizes.size > 0 ? { items: sizes.size, bytes } : {} });
    }
    const ingesting = /^ingesting (.+) \((\d+)\/(\d+)\)$/.exec(text);
    if (ingesting) {
      const [, key, index, count] = ingesting as unknown as [string, string, string, string];
      if (previous !== undefined && previous !== key) ingested += sizes.get(previous) ?? 0;
      previous = key;
      return next({
        step: 'ingest',
        item: key,
        done: { items: Number(index) - 1, ...(sizes.has(key) ? { bytes: ingested } : {}) },
        total: { items: Number(count) },
      });
    }
    if (/^computing/.test(text)) return next({ step: 'compute', done: {} });
    if (/^writing local outputs/.test(text)) return next({ step: 'publish', done: {} });
    return next({ step: text, done: {} });
  };
}

export function liveLine(state: StepState, at: number): string {
  const seconds = (at - state.startedAt) / 1000;
  const { done, total } = state;
  const parts: string[] = [];
  const noun = ITEM_NOUN[state.step] ?? 'items';
  if (total.items !== undefined) parts.push(`${done.items ?? 0}/${total.items} ${noun}`);
  else if (done.items) parts.push(`${done.items} ${noun}`);
  if (done.rows !== undefined) parts.push(`${count(done.rows)} rows`);
  if (total.bytes !== undefined) parts.push(`${bytes(done.bytes ?? 0)} of ${bytes(total.bytes)}`);
  else if (done.bytes !== undefined) parts.push(bytes(done.bytes));
  parts.push(...rates(done, seconds));
  const left = estimate(done, total, seconds);
  if (left !== undefined) parts.push(`about ${duration(left)} left`);
  else parts.push(duration(seconds));
  const head = `… ${state.step}${state.item ? ` ${state.item}` : ''}`;
  return [head, ...parts].join(' · ');
}

export function summaryLine(state: StepState, at: number): string {
  const seconds = (at - state.startedAt) / 1000;
  const { done } = state;
  const parts: string[] = [];
  const noun = ITEM_NOUN[state.step] ?? 'items';
  if (done.items !== undefined)
    parts.push(`${count(done.items)} ${done.items === 1 ? noun.slice(0, -1) : noun}`);
  if (done.rows !== undefined) parts.push(`${count(done.rows)} rows`);
  if (done.bytes !== undefined) parts.push(bytes(done.bytes));
  const rate = rates(done, seconds);
  return `${state.step}: ${parts.length > 0 ? `${parts.join(', ')} ` : ''}in ${duration(seconds)}${
    rate.length > 0 ? ` (${rate.join(', ')})` : ''
  }`;
}

function rates(done: ProgressAmounts, seconds: number): string[] {
  if (seconds < 0.05) return [];
  const out: string[] = [];
  if (done.rows) out.push(`${count(Math.round(done.rows / seconds))} rows/s`);
  if (done.bytes) out.push(`${bytes(done.bytes / seconds)}/s`);
  return out;
}

/** Seconds left at the rate so far: by bytes when the total is known, else by items. */
function estimate(done: ProgressAmounts, total: ProgressAmounts, seconds: number): number | undefined {
  for (const unit of ['bytes', 'rows', 'items'] as const) {
    const d = done[unit];
    const t = total[unit];
    if (t !== undefined && d !== undefined && d > 0 && seconds > 0) return (seconds * Math.max(0, t - d)) / d;
  }
  return undefined;
}

const countFormat = new Intl.NumberFormat('en');
const count = (n: number) => countFormat.format(n);

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
const byteFormats = UNITS.map(
  (unit) =>
    new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }),
);
export function bytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  let i = 0;
  let value = n;
  while (value >= 1000 && i < UNITS.length - 1) {
    value /= 1000;
    i++;
  }
  return (byteFormats[i] as Intl.NumberFormat).format(i === 0 ? Math.round(value) : value);
}

export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** `text` cut to `columns` display columns, with … where it was cut. */
export function fitToWidth(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  let out = '';
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) {
    if (stringWidth(out + segment) > columns - 1) break;
    out += segment;
  }
  return `${out}…`;
}
