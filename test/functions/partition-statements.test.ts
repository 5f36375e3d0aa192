import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  athenaPartitionStatements,
  checkStatementSizes,
  UNLOAD_PARTITIONS,
} from '../../functions/scale-out/partition-query.ts';

/** The query an UNLOAD statement runs and where it writes. */
function unloaded(statement: string): { query: string; target: string; options: string } {
  const match = /^UNLOAD \(([\s\S]*)\) TO '([^']+)' WITH \(([^)]*)\)$/.exec(statement);
  if (!match) throw new Error(`not an UNLOAD statement: ${statement.slice(0, 80)}`);
  return { query: match[1] as string, target: match[2] as string, options: match[3] as string };
}

describe("the scale-out run's Athena statements", () => {
  const statements = athenaPartitionStatements({
    database: 'customer_value_prod',
    exportIds: {
      transactions: ['a1b2', "it's"],
      customers: ['c3'],
      interactions: ['i4'],
      touchpoint_costs: [],
    },
    buckets: 64,
    asOf: '2025-03-31',
    targets: {
      transactions: 's3://lake/staging/scale-out/r/transactions/',
      customers: 's3://lake/staging/scale-out/r/customers/',
      serviceCosts: (result) => `s3://lake/staging/scale-out/r/service-costs/${result}/`,
    },
  });

  it('are Trino queries (parsed by the grammar of Trino), each unloaded as Parquet to its own folder', () => {
    const trino = new TrinoSQL();
    expect(statements.length).toBe(6);
    const targets = new Set<string>();
    for (const statement of statements) {
      const { query, target, options } = unloaded(statement);
      expect(
        trino.validate(query).map((error) => error.message),
        query.slice(0, 200),
      ).toEqual([]);
      expect(options).toMatch(/format = 'PARQUET'/);
      targets.add(target);
    }
    expect(targets.size).toBe(statements.length);
    expect([...targets]).toContain('s3://lake/staging/scale-out/r/service-costs/customer_service_costs/');
  });

  it("read only the run's exports of the catalog's tables, with parameters bound as literals", () => {
    for (const statement of statements) {
      const { query } = unloaded(statement);
      expect(query).not.toMatch(/\?/);
      // Each table scoped to its own exports only (the plan must stay within Step Functions' 256 KiB).
      if (query.includes('"transactions" WHERE'))
        expect(query).toContain(
          `"transactions" WHERE regexp_extract("$path", '/export_id=([^/]+)/', 1) IN ('a1b2', 'it''s')`,
        );
      if (query.includes('"customers" WHERE'))
        expect(query).toContain(
          `"customers" WHERE regexp_extract("$path", '/export_id=([^/]+)/', 1) IN ('c3')`,
        );
      if (query.includes('"touchpoint_costs" WHERE'))
        expect(query).toContain(`"touchpoint_costs" WHERE false`);
      // Every catalog table read is read through the CTE that keeps the run's exports.
      for (const [, table] of query.matchAll(/"customer_value_prod"\."(\w+)"/g))
        expect(query, table).toMatch(
          new RegExp(`"customer_value_prod"\\."${table}" WHERE (regexp_extract|false)`),
        );
    }
    const [transactions, customers, ...serviceCosts] = statements.map((s) => unloaded(s).options);
    expect(transactions).toMatch(/partitioned_by = ARRAY\['bucket'\]/);
    expect(customers).toMatch(/partitioned_by = ARRAY\['bucket'\]/);
    for (const options of serviceCosts) expect(options).not.toMatch(/partitioned_by/);
    expect(unloaded(statements[2] as string).query).toContain("CAST('2025-03-31' AS DATE)");
  });

  it('split the buckets into ranges of at most 100 partitions, the most one UNLOAD writes', () => {
    const many = athenaPartitionStatements({
      database: 'db',
      exportIds: { transactions: ['x'], customers: ['y'] },
      buckets: 250,
      asOf: '2025-03-31',
      targets: { transactions: 's3://l/t/', customers: 's3://l/c/', serviceCosts: (r) => `s3://l/s/${r}/` },
    });
    const partitioned = many.filter((statement) => statement.includes('partitioned_by'));
    expect(UNLOAD_PARTITIONS).toBe(100);
    expect(partitioned.length).toBe(6);
    const ranges = partitioned.map((statement) =>
      /BETWEEN (\d+) AND (\d+)/.exec(statement)?.slice(1).map(Number),
    );
    expect(ranges).toEqual([
      [0, 99],
      [100, 199],
      [200, 249],
      [0, 99],
      [100, 199],
      [200, 249],
    ]);
    const trino = new TrinoSQL();
    for (const statement of partitioned) expect(trino.validate(unloaded(statement).query)).toEqual([]);
    expect(many.length).toBe(partitioned.length + 4);
  });

  it('refuse a plan whose statement Athena or Step Functions would refuse, naming the limit and what to do', () => {
    // Each export id is listed in the statements: about 5,200 transactions and 5,200 interactions
    // exports made a statement past the 256 KiB Step Functions passes and Athena runs, and the
    // night failed at the partition step, every night, with the service's own message.
    const ids = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i}`.padEnd(20, '0'));
    const exportIds = (n: number) => ({
      transactions: ids('t', n),
      customers: ['y'],
      interactions: ids('i', n),
    });
    const plan = (n: number) =>
      checkStatementSizes(
        athenaPartitionStatements({
          database: 'db',
          exportIds: exportIds(n),
          buckets: 64,
          asOf: '2025-03-31',
          targets: {
            transactions: 's3://l/t/',
            customers: 's3://l/c/',
            serviceCosts: (r) => `s3://l/s/${r}/`,
          },
        }),
        exportIds(n),
      );
    expect(() => plan(1_000)).not.toThrow();
    expect(() => plan(6_000)).toThrow(
      /^scale-out: an Athena statement of this run would be [\d,]+ bytes, past the 258,048 one statement may be \(Athena takes 262,144 bytes of a query, Step Functions 256 KiB of a state, with room for the rest\): 6,000 transactions and 6,000 interactions exports are listed in it; combine older exports of a kind into fewer files$/,
    );
  });
});
