/**
 * CLV fitting benchmark: BG/NBD + Gamma-Gamma on simulated customers (default 1,000,000),
 * against a SciPy implementation of the same likelihoods fitted on the same collapsed rows in
 * the same run (bench/clv_scipy_baseline.py). Prints seconds, peak RSS, the speed ratio and
 * how far apart the two optima are.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bgnbdStartingPoints, fitBgnbd } from '../core/clv/bgnbd-fit.ts';
import { collapseRfm, collapseSpend } from '../core/clv/collapse.ts';
import { fitGammaGamma, gammaGammaStartingPoints } from '../core/clv/gamma-gamma.ts';
import { simulateBgnbd, simulateGammaGammaSpend } from '../core/clv/simulate.ts';

const TRUE_BGNBD = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const TRUE_GAMMA_GAMMA = { p: 6.25, q: 3.74, gamma: 15.44 };
const STARTS = 3;
const PENALIZER = 0;
const GRADIENT_TOLERANCE = 1e-9;

interface BaselineResult {
  bgnbd: { params: number[]; logLikelihood: number; message: string; seconds: number };
  gammaGamma: { params: number[]; logLikelihood: number; message: string; seconds: number };
  peakRssKb: number;
}

export async function runClvBenchmark(options: { customers?: number } = {}): Promise<void> {
  const customers = options.customers ?? 1_000_000;
  console.log(
    `CLV benchmark: ${customers.toLocaleString('en')} simulated customers (ages 4-78 weeks, whole days)`,
  );

  let started = performance.now();
  const simulated = simulateBgnbd(TRUE_BGNBD, {
    customers,
    seed: 20250301,
    minAge: 4,
    maxAge: 78,
    daysPerUnit: 7,
  });
  const spend = simulateGammaGammaSpend(TRUE_GAMMA_GAMMA, simulated.frequency, 20250302, true);
  const simulateSeconds = seconds(started);

  started = performance.now();
  const rows = collapseRfm(simulated);
  const spendRows = collapseSpend(simulated.frequency, spend, (i) => simulated.frequency[i]! > 0);
  const collapseSeconds = seconds(started);

  started = performance.now();
  const bgnbd = fitBgnbd(rows, { penalizer: PENALIZER, starts: STARTS });
  const bgnbdSeconds = seconds(started);
  started = performance.now();
  const gammaGamma = fitGammaGamma(spendRows, { penalizer: PENALIZER, starts: STARTS });
  const gammaGammaSeconds = seconds(started);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  console.log(
    `  simulate ${simulateSeconds.toFixed(2)} s; collapse ${collapseSeconds.toFixed(2)} s -> ${rows.weight.length.toLocaleString('en')} BG/NBD rows, ${spendRows.weight.length.toLocaleString('en')} Gamma-Gamma rows`,
  );
  const p = bgnbd.parameters;
  const g = gammaGamma.parameters;
  console.log(
    `  TypeScript BG/NBD      ${bgnbdSeconds.toFixed(3)} s  r=${p.r.toFixed(4)} alpha=${p.alpha.toFixed(4)} a=${p.a.toFixed(4)} b=${p.b.toFixed(4)} LL=${bgnbd.logLikelihood.toFixed(2)} converged=${bgnbd.converged}`,
  );
  console.log(
    `  TypeScript Gamma-Gamma ${gammaGammaSeconds.toFixed(3)} s  p=${g.p.toFixed(4)} q=${g.q.toFixed(4)} gamma=${g.gamma.toFixed(4)} LL=${gammaGamma.logLikelihood.toFixed(2)} converged=${gammaGamma.converged}`,
  );
  console.log(
    `  TypeScript fit total   ${(bgnbdSeconds + gammaGammaSeconds).toFixed(3)} s, peak RSS ${peakRssMb.toFixed(0)} MB (whole process, simulation included)`,
  );

  const baseline = runScipyBaseline(rows, spendRows);
  if (!baseline) return;
  const ours = bgnbdSeconds + gammaGammaSeconds;
  const theirs = baseline.bgnbd.seconds + baseline.gammaGamma.seconds;
  const bgnbdGap = maxRelativeGap([p.r, p.alpha, p.a, p.b], baseline.bgnbd.params);
  const gammaGammaGap = maxRelativeGap([g.p, g.q, g.gamma], baseline.gammaGamma.params);
  console.log(
    `  SciPy BG/NBD           ${baseline.bgnbd.seconds.toFixed(3)} s  params=${fmt(baseline.bgnbd.params)} LL=${baseline.bgnbd.logLikelihood.toFixed(2)} (${baseline.bgnbd.message})`,
  );
  console.log(
    `  SciPy Gamma-Gamma      ${baseline.gammaGamma.seconds.toFixed(3)} s  params=${fmt(baseline.gammaGamma.params)} LL=${baseline.gammaGamma.logLikelihood.toFixed(2)} (${baseline.gammaGamma.message})`,
  );
  console.log(
    `  SciPy fit total        ${theirs.toFixed(3)} s, peak RSS ${(baseline.peakRssKb / 1024).toFixed(0)} MB`,
  );
  console.log(
    `  speed-up vs SciPy: BG/NBD ${(baseline.bgnbd.seconds / bgnbdSeconds).toFixed(2)}x, Gamma-Gamma ${(baseline.gammaGamma.seconds / gammaGammaSeconds).toFixed(2)}x, total ${(theirs / ours).toFixed(2)}x`,
  );
  console.log(
    `  same optimum: largest parameter difference BG/NBD ${(bgnbdGap * 100).toFixed(4)}%, Gamma-Gamma ${(gammaGammaGap * 100).toFixed(4)}% (target < 0.1%)`,
  );
}

/** Feeds the same collapsed rows to the SciPy script through a temp file; null when SciPy is missing. */
function runScipyBaseline(
  rows: ReturnType<typeof collapseRfm>,
  spendRows: ReturnType<typeof collapseSpend>,
): BaselineResult | null {
  const probe = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(
      '  SciPy baseline skipped: python3 with numpy and scipy is not available, so no ratio is printed.',
    );
    return null;
  }
  const folder = mkdtempSync(join(tmpdir(), 'clv-bench-'));
  try {
    const arrays = [
      rows.frequency,
      rows.recency,
      rows.age,
      rows.weight,
      spendRows.frequency,
      spendRows.monetary,
      spendRows.weight,
    ];
    const total = arrays.reduce((n, a) => n + a.length, 0);
    const data = new Float64Array(total);
    let offset = 0;
    for (const array of arrays) {
      data.set(array, offset);
      offset += array.length;
    }
    const dataPath = join(folder, 'rows.f64');
    // Float64Array bytes are little-endian on every platform Node supports (x64, arm64).
    writeFileSync(dataPath, new Uint8Array(data.buffer));
    const metaPath = join(folder, 'meta.json');
    writeFileSync(
      metaPath,
      JSON.stringify({
        data: dataPath,
        rows: rows.weight.length,
        spendRows: spendRows.weight.length,
        penalizer: PENALIZER,
        gradientTolerance: GRADIENT_TOLERANCE,
        bgnbdStarts: bgnbdStartingPoints(rows, STARTS).map((s) => Array.from(s)),
        gammaGammaStarts: gammaGammaStartingPoints(spendRows, STARTS).map((s) => Array.from(s)),
      }),
    );
    const script = join(dirname(fileURLToPath(import.meta.url)), 'clv_scipy_baseline.py');
    const run = spawnSync('python3', [script, metaPath], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) {
      console.log(`  SciPy baseline failed (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`);
      return null;
    }
    return JSON.parse(run.stdout.trim().split('\n').pop()!) as BaselineResult;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function maxRelativeGap(ours: number[], theirs: number[]): number {
  return Math.max(...ours.map((v, i) => Math.abs(v / theirs[i]! - 1)));
}

function fmt(values: number[]): string {
  return `[${values.map((v) => v.toFixed(4)).join(', ')}]`;
}
