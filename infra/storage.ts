import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  TableEncryptionV2,
  TableV2,
  type WarmThroughput,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  removalPolicy: RemovalPolicy;
  /** Warm throughput of the table (per stage); either part absent keeps DynamoDB's default. */
  warmThroughput?: WarmThroughput;
}

/** The item attribute DynamoDB's TTL reads: epoch seconds after which an item may be deleted. */
export const TTL_ATTRIBUTE = 'expires_at';

/**
 * The stateful part: the exports bucket finance uploads to, the lake bucket the jobs write (a
 * separate bucket, so outputs never re-trigger ingest), the access-logs bucket both log to, and
 * the single DynamoDB table.
 */
export class Storage extends Construct {
  readonly accessLogs: Bucket;
  readonly exports: Bucket;
  readonly lake: Bucket;
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    const common: BucketProps = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access logs can only be delivered to an SSE-S3 bucket; the same for all three keeps it simple.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    };

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log target of the exports and lake buckets; logging it to itself would loop.',
    });

    this.exports = new Bucket(this, 'Exports', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        // A new upload of the same key replaces the export; the old version is kept for audit a while.
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    this.lake = new Bucket(this, 'Lake', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        // Every run rewrites its folders, so noncurrent versions are only a short safety net.
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { id: 'expire-athena-results', prefix: 'athena-results/', expiration: Duration.days(30) },
      ],
    });

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: !destroy,
      removalPolicy: props.removalPolicy,
      // History items (run records RUNS / AS_OF#<date>, targets run records) carry expires_at;
      // DynamoDB deletes them some time after it passes, so the item count does not grow with nights.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // TableV2 renders this as WarmThroughput of the AWS::DynamoDB::GlobalTable: a new table
      // starts there (and an existing one is raised to it) before the first big night's writes.
      warmThroughput: props.warmThroughput,
    });
  }
}
