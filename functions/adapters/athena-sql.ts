import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryResult, SqlRunner } from '../shared/sql-runner.ts';

const NUMERIC = /^(tinyint|smallint|integer|bigint|double|real|float)$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SQL over the deployed lake through Athena, answering like the local DuckDB runner: Athena returns
 * every value as text, so counts and doubles become numbers and decimals stay exact strings.
 */
export class AthenaSql implements SqlRunner {
  constructor(
    private readonly athena: AthenaClient,
    private readonly workGroup: string,
    private readonly database: string,
    private readonly options: { pollMs?: number; timeoutMs?: number } = {},
  ) {}

  async query(sql: string): Promise<QueryResult> {
    const started = await this.athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.workGroup,
        QueryExecutionContext: { Database: this.database },
      }),
    );
    const id = started.QueryExecutionId as string;
    await this.waitFor(id);
    const columns: string[] = [];
    const types: string[] = [];
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }),
      );
      if (first) {
        for (const info of page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []) {
          columns.push(info.Name ?? '');
          types.push(info.Type ?? 'varchar');
        }
      }
      // The first row of the first page repeats the column names.
      const data = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      for (const row of data) {
        const record: Record<string, unknown> = {};
        columns.forEach((name, i) => {
          const text = row.Data?.[i]?.VarCharValue;
          const type = types[i] ?? 'varchar';
          record[name] =
            text === undefined
              ? null
              : NUMERIC.test(type)
                ? Number(text)
                : type === 'boolean'
                  ? text === 'true'
                  : text;
        });
        rows.push(record);
      }
      token = page.NextToken;
      first = false;
    } while (token);
    return { columns, types, rows };
  }

  private async waitFor(id: string): Promise<void> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 5 * 60_000);
    for (;;) {
      const execution = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const status = execution.QueryExecution?.Status;
      if (status?.State === 'SUCCEEDED') return;
      if (status?.State === 'FAILED' || status?.State === 'CANCELLED') {
        throw new Error(
          `Athena query ${id} ${status.State.toLowerCase()}: ${status.StateChangeReason ?? 'no reason given'}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`Athena query ${id} did not finish in time`);
      await sleep(this.options.pollMs ?? 500);
    }
  }
}
