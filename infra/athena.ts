import type { RemovalPolicy } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { NAMED_QUERIES } from '../core/named-queries.ts';
import type { Catalog } from './catalog.ts';

export interface AnalyticsProps {
  lake: IBucket;
  catalog: Catalog;
  workGroupName: string;
  bytesScannedCutoff: number;
  removalPolicy: RemovalPolicy;
}

/** Prefix of the lake bucket where Athena writes query results (expired by a lifecycle rule). */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

/**
 * The analysts' Athena workgroup: its settings are enforced (clients cannot pick another result
 * location or turn encryption off), every query is cut off at the stage's bytes-scanned limit, and
 * metrics go to CloudWatch. The named queries are the ones DuckDB runs locally.
 */
export class Analytics extends Construct {
  readonly workGroup: CfnWorkGroup;
  readonly namedQueries: CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'customer-value analysts: results in the lake bucket, SSE-S3, bytes-scanned cutoff',
      state: 'ENABLED',
      // Let the stack delete the workgroup with its saved queries and history when it is destroyed.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.lake.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(props.removalPolicy);

    this.namedQueries = NAMED_QUERIES.map((query) => {
      const named = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: props.catalog.databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      named.addResourceDependency(props.catalog.database);
      return named;
    });
  }
}
