import type { LakeSql } from '../../local/lake-sql.ts';
import { dateLiteral, decimalText, toText } from './sql-values.ts';

export interface ServiceRoiMonth {
  month: string;
  benefit: string;
  loss: string;
  netBenefit: string;
  netCost: string;
  roiPct: string | null;
}

export async function loadServiceRoi(sql: LakeSql, asOf: string): Promise<ServiceRoiMonth[]> {
  const result = await sql.query(
    `SELECT month, benefit::VARCHAR AS benefit, loss::VARCHAR AS loss, net_benefit::VARCHAR AS net_benefit,
            net_cost::VARCHAR AS net_cost, roi_pct::VARCHAR AS roi_pct
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
