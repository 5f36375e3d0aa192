import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/build-app.ts';
import { PROJECT_ROOT } from '../../infra/handler-entries.ts';
import type { CustomerValueStack } from '../../infra/stack.ts';
import { readStageConfig, type StageConfig } from '../../infra/stage-config.ts';

/** The context `cdk synth` gets from cdk.json (feature flags, stages). */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

export interface Finding {
  rule: string;
  path: string;
}

/**
 * The validation report CDK writes into the cloud assembly (cdk-nag v3 is a policy validation
 * plugin): one entry per finding not acknowledged with `Validations.of(...).acknowledge`.
 */
export function readFindings(outdir: string): Finding[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        rule: violation.ruleName,
        path: construct.constructPath,
      })),
    ),
  );
}

/** Synthesise `app` into `outdir`; a failed policy validation is returned, not thrown. */
export function synthesize(app: App, outdir: string): { findings: Finding[]; error: Error | undefined } {
  let error: Error | undefined;
  try {
    app.synth();
  } catch (caught) {
    error = caught as Error;
  }
  let findings: Finding[];
  try {
    findings = readFindings(outdir);
  } catch {
    // No report at all: synthesis failed before validation, so the error is the story.
    if (error) throw error;
    findings = [];
  }
  return { findings, error };
}

export interface Synthesized {
  stack: CustomerValueStack;
  config: StageConfig;
  template: Template;
  findings: Finding[];
  error: Error | undefined;
  /** The logical id of a construct's CloudFormation resource, as in the template. */
  logicalId: (construct: IConstruct) => string;
  cleanup: () => void;
}

/**
 * `new App()` without an `outdir` makes a `cdk.out*` folder in the temp folder as it is constructed,
 * synthesised or not, and nothing removes it: every App a test makes goes through here or
 * synthStack, which give it a folder of their own and remove it. Runs `fn` on an App with `props`
 * in such a folder, removed however `fn` ends.
 */
export function withApp<T>(props: AppProps, fn: (app: App) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'cval-cdk-app-'));
  try {
    return fn(new App({ ...props, outdir }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stage settings `cdk synth` reads: cdk.json's context with `context` over it (`-c`). */
export function stageConfigFor(context: Record<string, unknown> = {}): StageConfig {
  return withApp({ context: { ...cdkJsonContext(), ...context } }, (app) => readStageConfig(app.node));
}

/** The stage settings of an app with no context at all (no cdk.json): the built-in defaults. */
export function stageConfigWithoutCdkJson(): StageConfig {
  return withApp({}, (app) => readStageConfig(app.node));
}

/**
 * The app as `cdk synth` builds it, with asset bundling skipped, synthesised once into a folder of
 * its own: `cleanup` (in the file's afterAll) removes it; a synthesis that throws removes it here.
 */
export function synthStack(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'cval-cdk-'));
  try {
    const { app, stack, config } = buildApp({
      outdir,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
    });
    const { findings, error } = synthesize(app, outdir);
    const template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')));
    return {
      stack,
      config,
      template,
      findings,
      error,
      logicalId: (construct) =>
        Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
      cleanup: () => rmSync(outdir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}
