/**
 * One measured step of `bench/cloud.ts`, in a process of its own so its peak RSS is the step's:
 *   cloud-worker.ts ingest  <state-dir> <dynamodb-endpoint> <exports-dir>
 *   cloud-worker.ts compute <state-dir> <dynamodb-endpoint> <as-of>
 * Starts the local stack over <state-dir> (s3rver keeps the buckets between steps), points the
 * handlers' DynamoDB at <dynamodb-endpoint> (the counting proxy), runs the real handler and prints
 * one JSON line: { seconds, peakRssMb, detail }.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsClients, resetAwsClients } from '../../functions/adapters/aws-clients.ts';
import { compute } from '../../functions/compute/handler.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { LOCAL_NAMES, startLocalStack } from '../../functions/local/local-stack.ts';

const [mode, stateDir, endpoint, argument] = process.argv.slice(2) as [string, string, string, string];

const stack = await startLocalStack(stateDir);
process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
resetAwsClients();
let seconds = 0;
let detail: Record<string, unknown> = {};
try {
  if (mode === 'ingest') {
    // Upload every <kind>/<file> the way finance would; the bucket's notifications feed ingest.
    for (const kind of await readdir(argument)) {
      for (const name of await readdir(join(argument, kind))) {
        await awsClients().s3.send(
          new PutObjectCommand({
            Bucket: LOCAL_NAMES.exportsBucket,
            Key: `${kind}/${name}`,
            Body: await readFile(join(argument, kind, name)),
          }),
        );
      }
    }
    const started = performance.now();
    const statuses: string[] = [];
    for (const record of stack.takeExportEvents()) {
      const result = await ingest({ Records: [record] } as never);
      for (const outcome of result.outcomes)
        statuses.push(`${record.s3.object.key}: ${'status' in outcome ? outcome.status : outcome.action}`);
    }
    seconds = (performance.now() - started) / 1000;
    detail = { statuses };
  } else if (mode === 'compute') {
    const started = performance.now();
    const summary = await compute({ as_of: argument });
    seconds = (performance.now() - started) / 1000;
    detail = { customers: summary.tables.customer_metrics ?? 0, warnings: summary.warnings.length };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await stack.stop();
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, peakRssMb, detail })}\n`);
