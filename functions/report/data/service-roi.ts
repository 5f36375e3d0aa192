import type { SqlRunner } from '../../shared/sql-runner.ts';
import { dateLiteral, decimalText, toText } from './sql-values.ts';

export interface ServiceRoiMonth {
  month: string;
  benefit: string;
  loss: string;
  netBenefit: string;
  netCost: string;
  roiPct: string | null;
}

export async function loadServiceRoi(sql: SqlRunner, asOf: string): Promise<ServiceRoiMonth[]> {
  const result = await sql.query(
    `SELECT month, CAST(benefit AS VARCHAR) AS benefit, CAST(loss AS VARCHAR) AS loss, CAST(net_benefit AS VARCHAR) AS net_benefit,
            CAST(net_cost AS VARCHAR) AS net_cost, CAST(roi_pct AS VARCHAR) AS roi_pct
     FROM service_roi WHERE as_of = ${dateLiteral(asOf)} ORDER BY month`,
  );
  return result.rows.map((r) => ({
    month: toText(r.month),
    benefit: decimalText(r.benefit) ?? '0',
    loss: decimalText(r.loss) ?? '0',
    netBenefit: decimalText(r.net_benefit) ?? '0',
    netCost: decimalText(r.net_cost) ?? '0',
    roiPct: decimalText(r.roi_pct),
  }));
}
