import { afterAll, describe, expect, it } from 'vitest';
import { RECORD_EXPIRY_ATTRIBUTE, RECORD_SECONDS } from '../../functions/ingest/event-guard.ts';
import { TTL_ATTRIBUTE } from '../../infra/storage.ts';
import { synthStack } from './synth.ts';

/**
 * What ingest's idempotency records (functions/ingest/event-guard.ts) need of the stack: they live
 * in the single table, written by every role whose code handles object events (ingest, and compute
 * and the scale-out plan step, which reconcile), expired by the table's TTL, and they last as long
 * as SQS can deliver a notification again.
 */
const synth = synthStack();
const { template, stack, logicalId } = synth;
afterAll(() => synth.cleanup());

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };
type Policy = { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } };

/** Every action a role is allowed on the table itself. */
function tableActions(role: Parameters<typeof logicalId>[0]): Set<string> {
  const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.storage.table), 'Arn'] });
  const actions = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as Policy[]) {
    if (JSON.stringify(policy.Properties.Roles) !== JSON.stringify([{ Ref: logicalId(role) }])) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
      if (!resources.includes(tableArn)) continue;
      for (const action of [statement.Action].flat()) actions.add(action);
    }
  }
  return actions;
}

describe('ingest idempotency records', () => {
  it('every role that handles object events may put, read, update and delete them in the table', () => {
    for (const [name, job] of Object.entries({
      ingest: stack.ingest,
      compute: stack.compute,
      scaleOut: stack.scaleOutSteps,
    })) {
      const actions = tableActions(job.role);
      for (const action of ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'])
        expect(actions.has(`dynamodb:${action}`), `${name} dynamodb:${action}`).toBe(true);
    }
  });

  it('every job may use exactly the table actions its code makes: no Scan, no stream reads', () => {
    // ItemStore (GetItem, PutItem, Query, BatchWriteItem) and Powertools idempotency (PutItem,
    // GetItem, UpdateItem, DeleteItem); the design reads by key or Query only.
    for (const [name, job] of Object.entries({
      ingest: stack.ingest,
      compute: stack.compute,
      targets: stack.targets,
      scaleOut: stack.scaleOutSteps,
    })) {
      expect([...tableActions(job.role)].sort(), name).toEqual([
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
    }
  });

  it("expire by the table's TTL attribute", () => {
    expect(RECORD_EXPIRY_ATTRIBUTE).toBe(TTL_ATTRIBUTE);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: RECORD_EXPIRY_ATTRIBUTE, Enabled: true },
    });
  });

  it('answer redeliveries for as long as the ingest queue keeps a message', () => {
    const queue = template.findResources('AWS::SQS::Queue')[logicalId(stack.pipeline.ingestQueue)] as {
      Properties: { MessageRetentionPeriod: number; VisibilityTimeout: number };
    };
    expect(queue.Properties.MessageRetentionPeriod).toBe(RECORD_SECONDS);
    // A message whose handler was killed comes back only after the handler's time (the function
    // timeout, at most) has run out, so its record has lapsed and the redelivery takes over.
    const timeout = (
      template.findResources('AWS::Lambda::Function')[logicalId(stack.ingest.fn)] as {
        Properties: { Timeout: number };
      }
    ).Properties.Timeout;
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThan(timeout);
  });
});
