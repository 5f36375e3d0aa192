import type { Locale } from './locale.ts';
import { messagesEn } from './messages-en.ts';
import { messagesZhCn } from './messages-zh-cn.ts';

/**
 * Message catalogue of the report and the CLI. Templates use `{name}` placeholders filled by `fill`.
 * Every locale implements the whole interface, so a missing translation is a type error.
 */
export interface Messages {
  report: {
    title: string;
    /** "{asOf}" is the formatted as-of date. */
    subtitle: string;
    generatedBy: string;
    noData: string;
    contents: string;
    sections: {
      headline: string;
      runWarnings: string;
      whale: string;
      cohortProfit: string;
      retention: string;
      clv: string;
      clvDiagnostics: string;
      segmentProduct: string;
      serviceRoi: string;
      targets: string;
      attainment: string;
    };
    notes: {
      /** "{count}" is how many warnings the run had. */
      runWarnings: string;
      noRunWarnings: string;
      /** "{count}" is how many warnings the run had beyond those its record kept. */
      moreRunWarnings: string;
      whale: string;
      cohortProfit: string;
      retention: string;
      clv: string;
      clvDiagnostics: string;
      segmentProduct: string;
      serviceRoi: string;
      /** "{week}" is the fiscal week shown, "{dates}" its dates. */
      attainmentWeek: string;
      /** "{asOf}" is the date the targets were re-planned. */
      targetsAsOf: string;
    };
    headline: {
      customers: string;
      revenue: string;
      profit: string;
      top20Share: string;
      /** "{month}" is the formatted month. */
      latestRoi: string;
    };
    labels: {
      customersPct: string;
      cumulativeProfitPct: string;
      cumulativeProfit: string;
      cohort: string;
      periodsSinceAcquisition: string;
      retentionPct: string;
      revenue: string;
      profit: string;
      cogs: string;
      returns: string;
      serviceCost: string;
      acquisitionCost: string;
      retentionCost: string;
      customers: string;
      clvFormula: string;
      clvPredicted: string;
      clvRange: string;
      ordersBucket: string;
      predictedOrders: string;
      observedOrders: string;
      model: string;
      parameters: string;
      logLikelihood: string;
      converged: string;
      yes: string;
      no: string;
      segment: string;
      productCategory: string;
      month: string;
      benefit: string;
      loss: string;
      netBenefit: string;
      netCost: string;
      roiPct: string;
      week: string;
      cumulativeOriginalTarget: string;
      cumulativeTarget: string;
      cumulativeActual: string;
      scope: string;
      team: string;
      rep: string;
      target: string;
      actual: string;
      attainmentPct: string;
      today: string;
    };
  };
  cli: {
    /** "{asOf}" is the as-of date. */
    runTitle: string;
    figure: string;
    value: string;
    exports: string;
    rowsCuratedQuarantined: string;
    customers: string;
    revenue: string;
    profit: string;
    top20Share: string;
    /** "{path}" is the output folder. */
    outputs: string;
    /** "{path}" is the quarantine folder. */
    quarantinedRows: string;
    moreRunWarnings: string;
    /** "{path}" is the report file. */
    reportWritten: string;
    none: string;
    exportStatus: { loaded: string; rejected: string; blocked: string; withdrawn: string };
    /** "{month}" is YYYY-MM. */
    serviceRoi: string;
    mostProfitableCohorts: string;
    leastProfitableCohorts: string;
    cohort: string;
    perCustomer: string;
    targets: {
      /** "{asOf}" is the Monday re-planned as of, "{week}" its ISO week, "{rows}" the rows written. */
      title: string;
      /** Headers of the week's table, by the column they head. */
      columns: {
        scope: string;
        metric: string;
        period_id: string;
        original_target: string;
        target: string;
        actual: string;
        attainment_pct: string;
      };
      noTargetsThisWeek: string;
      /** "{text}" is a warning of the targets job, in the job's words. */
      note: string;
    };
  };
}

const CATALOGUES: Record<Locale, Messages> = { en: messagesEn, 'zh-CN': messagesZhCn };

export function messagesFor(locale: Locale): Messages {
  return CATALOGUES[locale];
}

/** Fills `{name}` placeholders; unknown names are left as written. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}
