import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { synthStack } from './synth.ts';

const synth = synthStack();
afterAll(() => synth.cleanup());

describe('the compute function can publish the run report through Athena', () => {
  it('knows the workgroup and database', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Computes profitability'),
      Environment: {
        Variables: Match.objectLike({
          ATHENA_WORKGROUP: { Ref: Match.stringLikeRegexp('WorkGroup') },
          GLUE_DATABASE: 'customer_value_dev',
        }),
      },
    });
  });

  it('may run queries in that workgroup only and read that database only', () => {
    // The compute role's policies (the nightly state machine's role has Athena grants of its own).
    const computeRole = JSON.stringify([{ Ref: synth.logicalId(synth.stack.compute.role) }]);
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties.Roles) === computeRole,
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
    const athena = statements.filter((s) => JSON.stringify(s.Action).includes('athena:'));
    expect(athena).toHaveLength(2);
    expect([...((athena[0]?.Action ?? []) as string[])].sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StartQueryExecution',
    ]);
    expect(JSON.stringify(athena[0]?.Resource)).toContain(':workgroup/customer-value-dev');
    expect(athena[1]?.Action).toBe('athena:GetDataCatalog');
    // Athena runs the queries with the caller's credentials: it checks the lake bucket (the
    // tables' data and the workgroup's results) as the nightly state machine's role is allowed to.
    const bucketLevel = statements.filter((s) => JSON.stringify(s.Action).includes('s3:GetBucketLocation'));
    expect(bucketLevel).toHaveLength(1);
    expect([...((bucketLevel[0]?.Action ?? []) as string[])].sort()).toEqual([
      's3:GetBucketLocation',
      's3:ListBucketMultipartUploads',
    ]);
    expect(JSON.stringify(bucketLevel[0]?.Resource)).toContain(synth.logicalId(synth.stack.storage.lake));
    const glue = statements.filter((s) => JSON.stringify(s.Action).includes('glue:'));
    expect(glue).toHaveLength(1);
    expect(JSON.stringify(glue[0]?.Resource)).toContain(':table/customer_value_dev/*');
    expect(JSON.stringify(glue[0]?.Action)).not.toMatch(/Create|Update|Delete|\*/);
  });
});
