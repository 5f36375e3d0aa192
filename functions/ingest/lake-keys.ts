/** Keys of the lake layout (design.md "S3 lake layout"), built in one place. */
export const lakeKeys = {
  curatedFolder: (kind: string, exportId: string) => `curated/${kind}/export_id=${exportId}/`,
  curatedStaging: (kind: string, exportId: string) => `staging/curated/${kind}/export_id=${exportId}/`,
  part: (folder: string, index: number) => `${folder}part-${String(index).padStart(5, '0')}.parquet`,
  quarantine: (kind: string, exportId: string) => `quarantine/${kind}/${exportId}.csv`,
  ingestReport: (exportId: string) => `reports/ingest/${exportId}.json`,
  resultFolder: (table: string, asOf: string) => `results/${table}/as_of=${asOf}/`,
  resultStaging: (table: string, asOf: string, runId: string) =>
    `staging/results/${runId}/${table}/as_of=${asOf}/`,
  /** Every table a run staged (see resultStaging). */
  runStaging: (runId: string) => `staging/results/${runId}/`,
};

/** The export a curated Parquet part's key belongs to (`.../export_id=<id>/...parquet`); undefined for any other key. */
export function curatedPartExport(key: string): string | undefined {
  return key.endsWith('.parquet') ? /export_id=([^/]+)\//.exec(key)?.[1] : undefined;
}
