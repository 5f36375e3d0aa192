import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place AWS clients are built. The SDK itself honours AWS_ENDPOINT_URL_S3 and
 * AWS_ENDPOINT_URL_DYNAMODB; we add path-style addressing when S3 is overridden, because local
 * S3-compatible servers do not serve bucket sub-domains.
 */
export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBDocumentClient;
  /**
   * The plain DynamoDB client under `dynamodb` (one client, one middleware stack): for libraries
   * that send the service's own commands, such as Powertools' idempotency persistence layer.
   */
  dynamodbClient: DynamoDBClient;
  sqs: SQSClient;
  athena: AthenaClient;
}

let cached: AwsClients | undefined;

export function awsClients(env: NodeJS.ProcessEnv = process.env): AwsClients {
  if (cached) return cached;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const s3Endpoint = env.AWS_ENDPOINT_URL_S3;
  const s3 = new S3Client({ region, ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: true } : {}) });
  const dynamodbEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
  const raw = new DynamoDBClient({ region, ...(dynamodbEndpoint ? { endpoint: dynamodbEndpoint } : {}) });
  const dynamodb = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  cached = {
    s3,
    dynamodb,
    dynamodbClient: raw,
    sqs: new SQSClient({ region }),
    athena: new AthenaClient({ region }),
  };
  return cached;
}

/** Tests and the local runner restart servers on new ports; they drop the cached clients. */
export function resetAwsClients(): void {
  cached?.s3.destroy();
  cached?.dynamodb.destroy();
  cached?.sqs.destroy();
  cached?.athena.destroy();
  cached = undefined;
}
