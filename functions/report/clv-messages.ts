import type { Locale } from '../../core/i18n/index.ts';

/**
 * Texts of the report's model-validation sections (issue 17, section 5): tracking plot, P(alive)
 * heat map, sBG survival curves, backtest. `{name}` placeholders are filled with `fill`.
 */
export interface ClvReportMessages {
  sections: { tracking: string; pAlive: string; survival: string; backtest: string };
  notes: { tracking: string; trackingNoHoldout: string; pAlive: string; survival: string; backtest: string };
  labels: {
    week: string;
    cumulativeRepeatPurchases: string;
    actual: string;
    model: string;
    calibration: string;
    holdout: string;
    repeatOrders: string;
    daysSinceLastOrder: string;
    pAlivePct: string;
    /** Recency buckets, in RECENCY_BUCKETS order: upper bound / open end. */
    upTo: string;
    over: string;
    periodsSinceStart: string;
    survivalPct: string;
    observed: string;
    fitted: string;
    decile: string;
    noPrediction: string;
    purchases: string;
    predicted: string;
    lookback: string;
    predictedAsOf: string;
    customers: string;
    predictedPurchases: string;
    actualPurchases: string;
    purchasesError: string;
    predictedRevenue: string;
    actualRevenue: string;
    revenueError: string;
    days: string;
  };
}

const EN: ClvReportMessages = {
  sections: {
    tracking: 'Tracking plot: repeat purchases, actual vs model',
    pAlive: 'P(alive) by repeat orders and recency',
    survival: 'Subscription survival (sBG) by scope',
    backtest: 'Backtest: earlier predictions against what happened',
  },
  notes: {
    tracking:
      'Cumulative repeat purchases (days with an order after the first) of the {customers} customers the {model} model was fitted on, week by week from {start}: actual against the model’s expectation. The model saw the data up to {calibrationEnd} (calibration); after it, the holdout.',
    trackingNoHoldout:
      'Cumulative repeat purchases (days with an order after the first) of the {customers} customers the {model} model was fitted on, week by week from {start}: actual against the model’s expectation, all in the calibration period (set clv.holdoutDays for a holdout).',
    pAlive:
      'Mean probability that a customer is still active, by repeat orders so far and days since the last order.',
    survival:
      'Share of subscriptions still paying after each billing period: observed (Kaplan-Meier, points) and fitted by the shifted-beta-geometric model (lines), projected beyond the observed periods (dashed).',
    backtest:
      'Customers of an earlier run ranked by the CLV it predicted (decile 1 = highest): purchases it expected over the window since, against the purchases they made.',
  },
  labels: {
    week: 'Week ending',
    cumulativeRepeatPurchases: 'Cumulative repeat purchases',
    actual: 'Actual',
    model: 'Model',
    calibration: 'Calibration',
    holdout: 'Holdout',
    repeatOrders: 'Repeat orders',
    daysSinceLastOrder: 'Days since the last order',
    pAlivePct: 'P(alive) (%)',
    upTo: '≤ {days}',
    over: '> {days}',
    periodsSinceStart: 'Billing periods since the start',
    survivalPct: 'Surviving (%)',
    observed: 'observed',
    fitted: 'sBG',
    decile: 'Predicted-CLV decile',
    noPrediction: 'no prediction',
    purchases: 'Purchases',
    predicted: 'predicted',
    lookback: 'Lookback',
    predictedAsOf: 'Predicted on',
    customers: 'Customers',
    predictedPurchases: 'Predicted purchases',
    actualPurchases: 'Actual purchases',
    purchasesError: 'Purchases error',
    predictedRevenue: 'Predicted revenue',
    actualRevenue: 'Actual revenue',
    revenueError: 'Revenue error',
    days: '{days} days',
  },
};

const ZH_CN: ClvReportMessages = {
  sections: {
    tracking: '跟踪图：重复购买，实际与模型',
    pAlive: '按重复订单数与最近购买的存活概率',
    survival: '订阅存续（sBG）分范围',
    backtest: '回测：以往预测与实际',
  },
  notes: {
    tracking:
      '{model} 模型拟合所用的 {customers} 位客户自 {start} 起逐周的累计重复购买（首单之后有订单的天数）：实际与模型期望对比。模型使用截至 {calibrationEnd} 的数据（校准期），其后为留出期。',
    trackingNoHoldout:
      '{model} 模型拟合所用的 {customers} 位客户自 {start} 起逐周的累计重复购买（首单之后有订单的天数）：实际与模型期望对比，全部在校准期内（设置 clv.holdoutDays 可留出检验期）。',
    pAlive: '按迄今重复订单数与距最近一次订单的天数，客户仍然活跃的平均概率。',
    survival:
      '每个计费周期后仍在付费的订阅占比：观察值（Kaplan-Meier，点）与移位贝塔几何模型拟合值（线），超出观察期的为预测（虚线）。',
    backtest:
      '以往一次运行的客户按其预测终身价值排序（第 1 组最高）：该次预测的期间购买次数与客户实际购买次数对比。',
  },
  labels: {
    week: '周末日期',
    cumulativeRepeatPurchases: '累计重复购买',
    actual: '实际',
    model: '模型',
    calibration: '校准期',
    holdout: '留出期',
    repeatOrders: '重复订单数',
    daysSinceLastOrder: '距最近订单天数',
    pAlivePct: '存活概率（%）',
    upTo: '≤ {days}',
    over: '> {days}',
    periodsSinceStart: '开始后的计费周期',
    survivalPct: '存续（%）',
    observed: '观察',
    fitted: 'sBG',
    decile: '预测终身价值十分位',
    noPrediction: '无预测',
    purchases: '购买次数',
    predicted: '预测',
    lookback: '回看',
    predictedAsOf: '预测日期',
    customers: '客户数',
    predictedPurchases: '预测购买次数',
    actualPurchases: '实际购买次数',
    purchasesError: '购买次数误差',
    predictedRevenue: '预测收入',
    actualRevenue: '实际收入',
    revenueError: '收入误差',
    days: '{days} 天',
  },
};

export function clvMessagesFor(locale: Locale): ClvReportMessages {
  return locale === 'zh-CN' ? ZH_CN : EN;
}
