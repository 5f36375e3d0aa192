import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledge, arnToken } from './nag.ts';

/**
 * S3 grants with exactly the actions the ObjectStore adapter uses (GetObject with a version id,
 * PutObject, CopyObject, DeleteObjects, ListObjectsV2), instead of the wildcard action groups of
 * `bucket.grantRead*` (s3:GetObject*, s3:List*, ...).
 */
export function grantReadExports(role: IRole, bucket: IBucket): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  // ListBucket turns a missing key into a 404 instead of a 403.
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${arnToken(bucket)}/*]`,
    'Ingest reads whichever object (and version) finance uploads: keys are <kind>/<any name>, not known in ' +
      'advance. The grant is read-only (GetObject, GetObjectVersion) and limited to the exports bucket.',
  );
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
