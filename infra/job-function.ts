import { join } from 'node:path';
import { type Duration, type RemovalPolicy, Size } from 'aws-cdk-lib';
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
  /**
   * Ships DuckDB (the embedded engine of the set queries, sql/): its packages and native binding go
   * next to the bundle under node_modules/, and the function runs on x86_64 (see DUCKDB_PACKAGES).
   */
  duckdb?: boolean;
  /** /tmp size (the DuckDB engine copies the curated Parquet there and spills to it); Lambda's default 512 MB. */
  ephemeralStorageMb?: number;
}

/**
 * DuckDB's packages as `npm ci` installs them on the linux-x64 machines that synthesise and deploy
 * (CI, developers): the API, the loader and the native binding for linux-x64. The function that
 * ships them runs on x86_64: npm installs only the host's optional binding, and fetching the
 * linux-arm64 one at synth time would need the network (`npx cdk synth` works offline).
 */
export const DUCKDB_PACKAGES = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  '@duckdb/node-bindings-linux-x64',
];

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
 * on ARM (x86_64 when it ships DuckDB), with its own log group and its own role. The role starts with nothing but the right
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

    const afterBundling = (output: string): string[] => [
      ...(props.extraFiles ?? []).map((file) => `cp "${join(PROJECT_ROOT, file)}" "${output}/"`),
      ...(props.duckdb
        ? [
            `mkdir -p "${output}/node_modules/@duckdb"`,
            ...DUCKDB_PACKAGES.map(
              (name) =>
                `cp -R "${join(PROJECT_ROOT, 'node_modules', name)}" "${output}/node_modules/@duckdb/"`,
            ),
          ]
        : []),
    ];
    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: handlerEntry(props.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: props.duckdb ? Architecture.X86_64 : Architecture.ARM_64,
      ...(props.ephemeralStorageMb ? { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMb) } : {}),
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
        // DuckDB is imported when used and shipped only by the functions that use it (props.duckdb).
        externalModules: ['@duckdb/node-api'],
        ...(afterBundling('').length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) => afterBundling(output),
              },
            }
          : {}),
        tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
      },
    });
  }
}
