import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * Worker threads that run the module that starts them, in the role it names: the Lambda bundle
 * (one file, every module in it) or, run from source, the module's own .ts file through tsx. This
 * spares the bundling of a second entry point per worker.
 */
export function startModuleWorker(moduleUrl: string, role: string, settings: object = {}): Worker {
  const url = new URL(moduleUrl);
  const workerData = { role, settings };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  // From source the worker first registers tsx: a worker inherits neither register() (as in
  // bin/cval.mjs) nor, in time for its entry module, `--import tsx`.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(
    `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
    { eval: true, workerData },
  );
}

/**
 * The port to the thread that started this one and the settings it passed, when this thread is a
 * module worker in `role`.
 */
export function moduleWorkerPort(
  role: string,
): { port: NonNullable<typeof parentPort>; settings: object } | null {
  const data = workerData as { role?: string; settings?: object } | null;
  if (isMainThread || !parentPort || data?.role !== role) return null;
  return { port: parentPort, settings: data.settings ?? {} };
}

/** The distinct ArrayBuffers under `arrays` (views of SharedArrayBuffers left out), to transfer. */
export function ownBuffers(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) {
    const buffer = array.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) buffers.add(buffer);
  }
  return [...buffers];
}
