import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/support/slowest-first.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-env.ts', 'test/support/file-state.ts'],
    // Generous limits: they catch a hung test, and the suite must pass on a loaded machine, where two
    // busy workers stretch a test.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Files share their worker's modules instead of importing the AWS SDK, DuckDB and the handlers
    // afresh each (vitest's "import" time: 151 s of a 459 s run, 42 s of a 343 s one). Files leave
    // process state as they found it; test/support/file-state.ts makes sure of it.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine (CI),
    // where the whole suite then ran one file at a time. The heavy files spend much of their time in
    // child processes, worker threads, DuckDB and waits, so two workers keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default'],
    sequence: { sequencer: SlowestFirst },
  },
});
