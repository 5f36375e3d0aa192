import { join } from 'node:path';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { type FunctionName, handlerEntry, PROJECT_ROOT } from './handler-entries.ts';

/** The newest Node.js runtime aws-cdk-lib offers (>= 22); the tests assert every function uses it. */
export const NODE_RUNTIME = Runtime.NODEJS_24_X;

export interface JobFunctionProps {
  name: FunctionName;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  reservedConcurrentExecutions?: number;
  /** Files (relative to the project root) shipped next to the bundle, for code that reads them at run time. */
  extraFiles?: string[];
}

/** CommonJS dependencies bundled into ESM still call require() for Node built-ins. */
export const BUNDLE_BANNER =
  "import { createRequire as __cvalCreateRequire } from 'node:module'; const require = __cvalCreateRequire(import.meta.url);";

/**
 * esbuild options that bundle as the functions below are bundled (ESM, minified, the same banner),
 * for the tests and benchmarks that run a bundle; targeting the Node these run on.
 */
export const FUNCTION_LIKE_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  minify: true,
  banner: { js: BUNDLE_BANNER },
};

/**
 * One Lambda job: a NodejsFunction bundled locally by esbuild (no Docker) as ESM for Node 22+,
 * on ARM, with its own log group and its own role. The role starts with nothing but the right
 * to write to that log group (rather than the AWSLambdaBasicExecutionRole managed policy, which
 * allows every log group); the stack grants the rest, resource by resource.
 */
export class JobFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: JobFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `customer-value ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: handlerEntry(props.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        POWERTOOLS_SERVICE_NAME: `customer-value-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'CustomerValue',
        LOG_LEVEL: 'INFO',
        // Stack traces point at the TypeScript sources through the bundled source maps.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // The pinned SDK versions of package-lock.json, not whatever the runtime ships.
        bundleAwsSDK: true,
        banner: BUNDLE_BANNER,
        forceDockerBundling: false,
        ...(props.extraFiles && props.extraFiles.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) =>
                  (props.extraFiles ?? []).map((file) => `cp "${join(PROJECT_ROOT, file)}" "${output}/"`),
              },
            }
          : {}),
        tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
      },
    });
  }
}
