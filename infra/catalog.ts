import { Stack } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CURATED_TABLES } from '../core/exports/curated-schema.ts';
import { FIRST_RUN_DAY } from '../core/run-day.ts';
import { RESULT_TABLES, type TableDefinition } from '../core/tables.ts';
import { glueColumns } from './glue-types.ts';

export interface CatalogProps {
  lake: IBucket;
  databaseName: string;
}

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    parameters: { 'serialization.format': '1' },
  },
};

/**
 * The Glue database with one table per output table and curated export kind, so Athena reads the
 * lake under the same names DuckDB uses locally. Result tables are partitioned by `as_of` with
 * partition projection (no crawlers, no MSCK REPAIR); curated tables are unpartitioned and Athena
 * reads their `export_id=<id>/` folders recursively.
 */
export class Catalog extends Construct {
  readonly database: CfnDatabase;
  readonly databaseName: string;
  readonly tables = new Map<string, CfnTable>();

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    this.databaseName = props.databaseName;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: {
        name: props.databaseName,
        description:
          'customer-value: curated finance exports and computed results (Parquet in the lake bucket)',
      },
    });
    for (const table of [...RESULT_TABLES, ...CURATED_TABLES]) {
      const cfn = this.table(table, props.lake, catalogId);
      cfn.addResourceDependency(this.database);
      this.tables.set(table.name, cfn);
    }
  }

  private table(table: TableDefinition, lake: IBucket, catalogId: string): CfnTable {
    const location = `s3://${lake.bucketName}/${table.prefix}/`;
    const parameters: Record<string, string> = {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
    };
    if (table.partitionKey) {
      const key = table.partitionKey;
      Object.assign(parameters, {
        'projection.enabled': 'true',
        [`projection.${key}.type`]: 'date',
        [`projection.${key}.format`]: 'yyyy-MM-dd',
        // Athena takes NOW in UTC, and as_of is a day in the business time zone, which can be a day
        // ahead of UTC (a run at 03:00 in Asia/Shanghai): without the extra day that run's
        // partition would not exist in Athena until 08:00 there.
        [`projection.${key}.range`]: `${FIRST_RUN_DAY},NOW+1DAYS`,
        [`projection.${key}.interval`]: '1',
        [`projection.${key}.interval.unit`]: 'DAYS',
        'storage.location.template': `s3://${lake.bucketName}/${table.prefix}/${key}=\${${key}}/`,
      });
    }
    return new CfnTable(this, `Table-${table.name}`, {
      catalogId,
      databaseName: this.databaseName,
      tableInput: {
        name: table.name,
        description: table.description,
        tableType: 'EXTERNAL_TABLE',
        parameters,
        partitionKeys: table.partitionKey
          ? [{ name: table.partitionKey, type: 'string', comment: 'Run date YYYY-MM-DD' }]
          : [],
        storageDescriptor: {
          location,
          columns: glueColumns(table),
          ...PARQUET,
          compressed: false,
        },
      },
    });
  }
}
