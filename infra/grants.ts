import { Stack, Token } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { acknowledge, arnToken } from './nag.ts';

// S3 grants with exactly the actions the ObjectStore adapter uses (GetObject and HeadObject with or
// without a version id, PutObject, CopyObject, DeleteObjects, ListObjectsV2), instead of the
// wildcard action groups of `bucket.grantRead*` (s3:GetObject*, s3:List*, ...). Nothing lists object
// versions (the reconciliation lists keys and asks HeadObject for the current version), so no role
// gets s3:ListBucketVersions; add it here if that changes.

/**
 * Read-only access to the exports bucket: GetObject and GetObjectVersion (HeadObject needs the
 * same actions) on its objects and ListBucket (ListObjectsV2) on the bucket. Nothing that writes,
 * deletes or reads the bucket's configuration. `reason` says why this role reads every key (the
 * cdk-nag acknowledgment of the object wildcard).
 */
export function grantReadExports(role: IRole, bucket: IBucket, reason: string): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  // ListBucket also turns a missing key into a 404 instead of a 403.
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  acknowledge(role, `AwsSolutions-IAM5[Resource::${arnToken(bucket)}/*]`, reason);
}

export function grantReadWriteLake(role: IRole, bucket: IBucket): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${arnToken(bucket)}/*]`,
    'The jobs write, replace and withdraw folders whose keys hold export ids and run dates known only at run ' +
      'time (curated/<kind>/export_id=<id>/, results/<table>/as_of=<date>/, quarantine/, reports/). Access is ' +
      'object-level only (no bucket configuration actions) and limited to the lake bucket.',
  );
}

/**
 * The weekly targets job's lake: it reads the curated exports and its own earlier plans (their
 * Parquet and item manifests, also those a crashed run staged), and writes, replaces and deletes
 * only its staging, its `results/targets/` days and its item manifests, never an export's folder,
 * quarantine or another table.
 */
export function grantTargetsLake(role: IRole, bucket: IBucket): void {
  const written = ['staging/results/', 'results/targets/', 'reports/targets/'];
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: ['curated/', ...written].map((prefix) => bucket.arnForObjects(`${prefix}*`)),
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: written.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  for (const prefix of ['curated/', ...written])
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${arnToken(bucket)}/${prefix}*]`,
      'The targets job reads the curated exports and its own plans, and writes its staging, results and item ' +
        'manifests, under keys holding export ids, run ids and dates known only at run time; object-level only, ' +
        'in the lake bucket.',
    );
}

/**
 * The compute function builds each run's HTML report with Athena queries over the Glue tables:
 * it may run queries in the project's workgroup and read the table definitions of its database.
 * Athena reads the tables and writes the results with the caller's credentials, so the role also
 * gets the bucket-level checks Athena makes on the lake (its objects are granted already, see
 * grantReadWriteLake), as the nightly state machine's role has them: without them every report
 * query failed, and only the ReportFailures metric said so.
 */
export function grantReportQueries(
  role: IRole,
  workGroupName: string,
  databaseName: string,
  lake: IBucket,
): void {
  const stack = Stack.of(role);
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
      resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroupName })],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['athena:GetDataCatalog'],
      resources: [
        stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' }),
      ],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [lake.bucketArn],
    }),
  );
  role.addToPrincipalPolicy(glueReadStatement(stack, databaseName));
  // cdk-nag names the resource as synthesised: literal region and partition when the stack has them.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const partition = Token.isUnresolved(stack.region)
    ? '<AWS::Partition>'
    : (RegionInfo.get(stack.region).partition ?? 'aws');
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::arn:${partition}:glue:${region}:${account}:table/${databaseName}/*]`,
    'The report queries read every output table of the project database; the grant is read-only Glue ' +
      'metadata (GetTable, GetPartitions) limited to that one database.',
  );
}

/** Reading the Glue definitions of the project database's tables, as an Athena query needs them. */
export function glueReadStatement(stack: Stack, databaseName: string): PolicyStatement {
  return new PolicyStatement({
    actions: [
      'glue:GetDatabase',
      'glue:GetTable',
      'glue:GetTables',
      'glue:GetPartition',
      'glue:GetPartitions',
    ],
    resources: [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/*` }),
    ],
  });
}

/**
 * The table actions the jobs' code makes, instead of `grantReadWriteData`'s (which also allows
 * Scan, BatchGetItem and the stream reads): ItemStore's GetItem, PutItem, Query and BatchWriteItem
 * (puts and deletes), and Powertools idempotency's PutItem, GetItem, UpdateItem and DeleteItem.
 * The design reads by key or by Query only, and the table has no stream. The table is encrypted
 * with the AWS managed key, so no KMS grant is needed.
 */
export function grantTableData(role: IRole, table: ITableV2): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      resources: [table.tableArn],
    }),
  );
}
