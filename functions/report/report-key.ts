/** Key of a run's report in the lake bucket (and its path under the local output folder). */
export function reportKey(asOf: string): string {
  return `reports/run/as_of=${asOf}/index.html`;
}
