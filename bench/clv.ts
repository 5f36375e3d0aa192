/**
 * CLV fitting benchmark: BG/NBD, Gamma-Gamma and MBG/NBD on simulated customers (default
 * 1,000,000), BG/BB on as many simulated discrete-opportunity customers and sBG on as many
 * simulated subscriptions, each against a SciPy implementation of the same likelihood fitted on
 * the same collapsed rows from the same starts in the same run (bench/clv_scipy_baseline.py); and
 * the per-customer 80% CLV intervals (bootstrap) for every customer, against the fit's own time.
 * Prints seconds, peak RSS, the speed ratios and how far apart the optima are.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BgbbRows, bgbbStartingPoints, collapseBgbb, fitBgbb } from '../core/clv/bgbb.ts';
import { bgnbdStartingPoints, fitBgnbd } from '../core/clv/bgnbd-fit.ts';
import { numberCells } from '../core/clv/cell-expectations.ts';
import { collapseRfm, collapseSpend } from '../core/clv/collapse.ts';
import { discountedExpectedPurchases } from '../core/clv/discounting.ts';
import { fitGammaGamma, gammaGammaStartingPoints } from '../core/clv/gamma-gamma.ts';
import { bootstrapClvIntervals } from '../core/clv/intervals.ts';
import { fitMbgnbd } from '../core/clv/mbgnbd.ts';
import { SeededRandom } from '../core/clv/random.ts';
import { fitSbg, type SbgData, sbgStartingPoints } from '../core/clv/sbg.ts';
import { simulateBgnbd, simulateGammaGammaSpend } from '../core/clv/simulate.ts';
import { purchasePredictorAt } from '../core/clv/transaction-model.ts';

const TRUE_BGNBD = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const TRUE_GAMMA_GAMMA = { p: 6.25, q: 3.74, gamma: 15.44 };
/** Near Fader, Hardie & Shang's donor estimates (BG/BB) and Fader & Hardie's "regular" sBG segment. */
const TRUE_BGBB = { alpha: 1.2, beta: 0.75, gamma: 0.66, delta: 2.78 };
const TRUE_SBG = { alpha: 0.704, beta: 1.182 };
const INTERVAL_DRAWS = 100;
const BGBB_GRADIENT_TOLERANCE = 1e-7;
const STARTS = 3;
const PENALIZER = 0;
const GRADIENT_TOLERANCE = 1e-9;

interface BaselineFit {
  params: number[];
  logLikelihood: number;
  message: string;
  seconds: number;
}

interface BaselineResult {
  bgnbd: BaselineFit;
  gammaGamma: BaselineFit;
  mbgnbd: BaselineFit;
  bgbb: BaselineFit;
  sbg: BaselineFit;
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
  started = performance.now();
  const mbgnbd = fitMbgnbd(rows, { penalizer: PENALIZER, starts: STARTS });
  const mbgnbdSeconds = seconds(started);

  const bgbbRows = simulateBgbbRows(customers, 20250303);
  started = performance.now();
  const bgbb = fitBgbb(bgbbRows, { penalizer: PENALIZER, starts: STARTS });
  const bgbbSeconds = seconds(started);
  const sbgData = simulateSbg(customers, 20250304);
  started = performance.now();
  const sbg = fitSbg(sbgData, { penalizer: PENALIZER, starts: STARTS });
  const sbgSeconds = seconds(started);

  // 80% CLV intervals for every customer: the bootstrap against the fit it rests on.
  const unitsPerMonth = 365.25 / 12 / 7;
  const margin = new Float64Array(customers).fill(0.3);
  const valued = new Uint8Array(customers).fill(1);
  // The point prediction computes each distinct customer's discounted expected purchases (the
  // compute job does this anyway); the intervals reuse them and add their own cost on top.
  started = performance.now();
  const estimate = purchasePredictorAt('bgnbd', bgnbd.params);
  const { cells, cellOf } = numberCells(simulated.frequency, simulated.recency, simulated.age);
  const discounted = new Float64Array(cells.count);
  for (let c = 0; c < cells.count; c++) {
    const x = cells.x[c]!;
    const tx = cells.tx[c]!;
    const T = cells.T[c]!;
    discounted[c] = discountedExpectedPurchases(
      (t) => estimate.expectedPurchases(t, x, tx, T),
      12,
      unitsPerMonth,
      0.1,
    );
  }
  const pointSeconds = seconds(started);
  started = performance.now();
  const intervals = bootstrapClvIntervals({
    frequency: simulated.frequency,
    recency: simulated.recency,
    age: simulated.age,
    monetary: spend,
    margin,
    valued,
    purchase: {
      params: bgnbd.params,
      covariance: bgnbd.covariance,
      at: (v) => purchasePredictorAt('bgnbd', v),
    },
    spend: { params: gammaGamma.params, covariance: gammaGamma.covariance },
    horizon: { months: 12, unitsPerMonth, annualDiscountRate: 0.1 },
    estimates: { cells, cellOf, discounted },
    discountedPurchases: (model, x, tx, T) =>
      discountedExpectedPurchases((t) => model.expectedPurchases(t, x, tx, T), 12, unitsPerMonth, 0.1),
    draws: INTERVAL_DRAWS,
  });
  const bootstrapSeconds = seconds(started);
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
  const m = mbgnbd.parameters;
  console.log(
    `  TypeScript MBG/NBD     ${mbgnbdSeconds.toFixed(3)} s  r=${m.r.toFixed(4)} alpha=${m.alpha.toFixed(4)} a=${m.a.toFixed(4)} b=${m.b.toFixed(4)} LL=${mbgnbd.logLikelihood.toFixed(2)} converged=${mbgnbd.converged}`,
  );
  const bb = bgbb.parameters;
  console.log(
    `  TypeScript BG/BB       ${bgbbSeconds.toFixed(3)} s  alpha=${bb.alpha.toFixed(4)} beta=${bb.beta.toFixed(4)} gamma=${bb.gamma.toFixed(4)} delta=${bb.delta.toFixed(4)} LL=${bgbb.logLikelihood.toFixed(2)} converged=${bgbb.converged} (${bgbbRows.weight.length} rows from ${customers.toLocaleString('en')} customers, 4-11 opportunities)`,
  );
  console.log(
    `  TypeScript sBG         ${sbgSeconds.toFixed(4)} s  alpha=${sbg.parameters.alpha.toFixed(4)} beta=${sbg.parameters.beta.toFixed(4)} LL=${sbg.logLikelihood.toFixed(2)} converged=${sbg.converged} (${customers.toLocaleString('en')} subscriptions, staggered starts over 24 periods)`,
  );
  const fitSeconds = bgnbdSeconds + gammaGammaSeconds;
  let covered = 0;
  for (let i = 0; i < customers; i++) if (intervals.p10[i]! < intervals.p90[i]!) covered++;
  console.log(
    `  TypeScript fit total   ${fitSeconds.toFixed(3)} s (BG/NBD + Gamma-Gamma), peak RSS ${peakRssMb.toFixed(0)} MB (whole process, simulation included)`,
  );
  console.log(
    `  point prediction       ${pointSeconds.toFixed(3)} s (discounted expected purchases of every distinct customer, as the compute job does)`,
  );
  console.log(
    `  CLV 80% intervals      ${bootstrapSeconds.toFixed(3)} s on top for ${customers.toLocaleString('en')} customers x ${INTERVAL_DRAWS} draws = ${(bootstrapSeconds / fitSeconds).toFixed(2)}x the fit (budget: at most 1x)${intervals.note ? `; ${intervals.note}` : ''}; ${covered.toLocaleString('en')} customers with p10 < p90`,
  );

  const baseline = runScipyBaseline(rows, spendRows, bgbbRows, sbgData);
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
  const others: [string, number, number[], BaselineFit][] = [
    ['MBG/NBD', mbgnbdSeconds, Array.from(mbgnbd.params), baseline.mbgnbd],
    ['BG/BB', bgbbSeconds, Array.from(bgbb.params), baseline.bgbb],
    ['sBG', sbgSeconds, Array.from(sbg.params), baseline.sbg],
  ];
  for (const [name, ours, params, theirs] of others)
    console.log(
      `  SciPy ${name.padEnd(16)} ${theirs.seconds.toFixed(4)} s  params=${fmt(theirs.params)} LL=${theirs.logLikelihood.toFixed(2)} (${theirs.message}) -> ours ${(theirs.seconds / ours).toFixed(2)}x as fast, largest parameter difference ${(maxRelativeGap(params, theirs.params) * 100).toFixed(4)}%`,
    );
}

/**
 * BG/BB customers (Fader, Hardie & Shang 2010): p ~ Beta(α, β), θ ~ Beta(γ, δ); at each of n
 * opportunities (n from 4 to 11: yearly cohorts) the customer dies first with probability θ, else
 * buys with probability p.
 */
function simulateBgbbRows(customers: number, seed: number): BgbbRows {
  const random = new SeededRandom(seed);
  const frequency = new Float64Array(customers);
  const recency = new Float64Array(customers);
  const opportunities = new Float64Array(customers);
  for (let i = 0; i < customers; i++) {
    const p = random.beta(TRUE_BGBB.alpha, TRUE_BGBB.beta);
    const theta = random.beta(TRUE_BGBB.gamma, TRUE_BGBB.delta);
    const n = 4 + Math.floor(random.uniform() * 8);
    let x = 0;
    let tx = 0;
    for (let t = 1; t <= n; t++) {
      if (random.uniform() < theta) break;
      if (random.uniform() < p) {
        x++;
        tx = t;
      }
    }
    frequency[i] = x;
    recency[i] = tx;
    opportunities[i] = n;
  }
  return collapseBgbb(frequency, recency, opportunities);
}

/** sBG subscriptions: θ ~ Beta(α, β), lifetime geometric in θ, started over 24 periods, censored at the end. */
function simulateSbg(subscriptions: number, seed: number): SbgData {
  const random = new SeededRandom(seed);
  const periods = 24;
  const churned = new Float64Array(periods + 1);
  const censored = new Float64Array(periods + 1);
  for (let i = 0; i < subscriptions; i++) {
    const theta = random.beta(TRUE_SBG.alpha, TRUE_SBG.beta);
    const observed = 1 + Math.floor(random.uniform() * periods);
    let t = 1;
    while (t <= observed && random.uniform() >= theta) t++;
    if (t <= observed) churned[t]! += 1;
    else censored[observed]! += 1;
  }
  return { churned, censored };
}

/** Feeds the same collapsed rows to the SciPy script through a temp file; null when SciPy is missing. */
function runScipyBaseline(
  rows: ReturnType<typeof collapseRfm>,
  spendRows: ReturnType<typeof collapseSpend>,
  bgbbRows: BgbbRows,
  sbgData: SbgData,
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
      bgbbRows.frequency,
      bgbbRows.recency,
      bgbbRows.opportunities,
      bgbbRows.weight,
      sbgData.churned,
      sbgData.censored,
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
        bgbbRows: bgbbRows.weight.length,
        sbgLength: sbgData.churned.length,
        mbgnbdStarts: bgnbdStartingPoints(rows, STARTS).map((s) => Array.from(s)),
        bgbbStarts: bgbbStartingPoints(bgbbRows, STARTS).map((s) => Array.from(s)),
        sbgStarts: sbgStartingPoints(sbgData, STARTS).map((s) => Array.from(s)),
        bgbbGradientTolerance: BGBB_GRADIENT_TOLERANCE,
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
