import fc from 'fast-check';

// Handlers log JSON and emit CloudWatch metrics; tests assert on outcomes instead.
process.env.LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// The lockfile pins SDK releases that support Node 20; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Property tests run from one seed, so CI is reproducible: a red run is the same red run again.
// Set FC_SEED to explore other seeds locally (and keep any counterexample as a fixed case).

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20_261_205) });
