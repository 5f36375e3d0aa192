/**
 * The export kinds of design.md: their columns, which are required, how each value is parsed,
 * and the header names finance uses for them in English and Chinese.
 */
export type ValueType =
  | 'string'
  | 'amount'
  | 'date'
  | 'month'
  | 'period'
  | 'integer'
  | 'score'
  | 'fiscal_year'
  | 'share'
  | 'metric'
  | 'scope';

export interface ColumnSpec {
  name: string;
  type: ValueType;
  required: boolean;
  /** Value used when the column is absent or the cell is empty (optional columns only). */
  defaultValue?: string;
  aliases: string[];
}

export const EXPORT_KINDS = [
  'transactions',
  'customers',
  'interactions',
  'touchpoint_costs',
  'retention_spend',
  'acquisition_spend',
  'satisfaction',
  'service_costs',
  'targets',
  'reps',
  'holidays',
  'subscriptions',
] as const;

export type ExportKind = (typeof EXPORT_KINDS)[number];

export function isExportKind(value: string): value is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(value);
}

const col = (
  name: string,
  type: ValueType,
  required: boolean,
  aliases: string[],
  defaultValue?: string,
): ColumnSpec =>
  defaultValue === undefined
    ? { name, type, required, aliases }
    : { name, type, required, aliases, defaultValue };

const CUSTOMER_ID = [
  '客户编号',
  '客户ID',
  '客户id',
  '客户代码',
  '客户号',
  'customer',
  'customer id',
  'client_id',
];
const PERIOD = ['期间', '月份', '会计期间', '期间(月)', 'month'];

export const KIND_COLUMNS: Record<ExportKind, ColumnSpec[]> = {
  transactions: [
    col('order_id', 'string', true, ['订单号', '订单编号', '订单ID', 'order', 'order no', 'order number']),
    col('customer_id', 'string', true, CUSTOMER_ID),
    col('order_date', 'date', true, ['订单日期', '日期', '下单日期', '交易日期', 'date']),
    col('revenue', 'amount', true, [
      '金额',
      '销售额',
      '收入',
      '销售收入',
      '净销售额',
      'amount',
      'net_revenue',
      'sales',
    ]),
    col('cost', 'amount', false, ['成本', '产品成本', '直接成本', 'cogs', 'product_cost'], '0'),
    col('returned_amount', 'amount', false, ['退货金额', '退款金额', 'returns', 'refund'], '0'),
    col('quantity', 'integer', false, ['数量', 'qty']),
    col('product_id', 'string', false, ['产品编号', '产品ID', '商品编号', 'sku']),
    col('product_category', 'string', false, ['产品类别', '品类', '商品类别', 'category']),
    col('channel', 'string', false, ['渠道', '销售渠道']),
    col('rep_id', 'string', false, ['销售代表', '业务员', '销售员编号', 'rep', 'sales_rep']),
    col('team', 'string', false, ['团队', '销售团队', '小组']),
    // Time of day (HH:MM[:SS], or a whole timestamp): gives half-day (AM/PM) actuals to targets.
    col('order_time', 'string', false, ['下单时间', '订单时间', '交易时间', '时间', 'time', 'order time']),
  ],
  customers: [
    col('customer_id', 'string', true, CUSTOMER_ID),
    col('acquired_on', 'date', true, [
      '获客日期',
      '注册日期',
      '首次购买日期',
      '开户日期',
      'signup_date',
      'acquired',
    ]),
    col('acquisition_cost', 'amount', false, ['获客成本', '获取成本', 'cac']),
    col('acquisition_channel', 'string', false, ['获客渠道', '来源渠道', 'channel']),
    col('segment', 'string', false, ['客户类型', '客户群', '细分', '客户画像', 'persona']),
    col('region', 'string', false, ['地区', '区域', '省份']),
    col('product_bundle', 'string', false, ['产品组合', '套餐']),
    col('referred_by', 'string', false, ['推荐人', '推荐客户', 'referrer']),
    col('churned_on', 'date', false, ['流失日期', '注销日期', 'churn_date']),
  ],
  interactions: [
    col('customer_id', 'string', true, CUSTOMER_ID),
    col('occurred_on', 'date', true, ['发生日期', '日期', '互动日期', 'date']),
    col('touchpoint', 'string', true, ['触点', '接触点', '服务类型', '活动', 'activity']),
    col('quantity', 'integer', false, ['数量', '次数', 'count'], '1'),
    col('cost', 'amount', false, ['成本', '费用']),
  ],
  touchpoint_costs: [
    col('period', 'month', true, PERIOD),
    col('touchpoint', 'string', true, ['触点', '接触点', '服务类型', '活动', 'activity']),
    col('total_cost', 'amount', true, ['总成本', '成本', '费用', 'cost']),
  ],
  retention_spend: [
    col('period', 'period', true, PERIOD),
    col('amount', 'amount', true, ['金额', '保留成本', '维系费用', '费用', 'spend']),
    col('segment', 'string', false, ['客户类型', '客户群', '细分']),
  ],
  acquisition_spend: [
    col('period', 'period', true, PERIOD),
    col('amount', 'amount', true, ['金额', '获客费用', '营销费用', '费用', 'spend']),
    col('channel', 'string', false, ['渠道', '获客渠道']),
  ],
  satisfaction: [
    col('customer_id', 'string', true, CUSTOMER_ID),
    col('surveyed_on', 'date', true, ['调查日期', '日期', '评价日期', 'date']),
    col('score', 'score', true, ['满意度', '得分', '分数', '满意度得分', 'satisfaction']),
  ],
  service_costs: [
    col('period', 'month', true, PERIOD),
    col('net_cost', 'amount', true, ['净成本', '服务成本', '成本', 'cost']),
  ],
  targets: [
    col('fiscal_year', 'fiscal_year', true, ['财年', '年度', '年份', 'year']),
    col('metric', 'metric', true, ['指标', '目标类型']),
    col('amount', 'amount', true, ['目标', '金额', '目标值', 'target']),
    col('scope', 'scope', false, ['范围', '对象', '组织'], 'company'),
    col('share', 'share', false, ['占比', '比例', '份额']),
    col('scenario', 'string', false, ['情景', '场景', '方案', '版本'], 'plan'),
  ],
  reps: [
    col('rep_id', 'string', true, ['销售代表', '业务员', '销售员编号', '员工编号', 'rep', 'sales_rep']),
    col('team', 'string', true, ['团队', '销售团队', '小组']),
    col('started_on', 'date', false, ['入职日期', '开始日期', 'start_date', 'hired_on']),
    col('ended_on', 'date', false, ['离职日期', '结束日期', 'end_date', 'left_on']),
    col('ramp_months', 'integer', false, ['爬坡月数', '爬坡期', 'ramp']),
    // A weight (0-100, six decimals), stored as a rate like scores.
    col('capacity', 'score', false, ['产能', '权重', '产能系数', 'weight'], '1'),
  ],
  holidays: [
    col('date', 'date', true, ['日期', '假日日期']),
    // holiday | workday (假日 / 工作日, 休 / 班), checked by the targets job.
    col('kind', 'string', true, ['类型', '假日类型', 'type']),
    col('name', 'string', false, ['名称', '节日', '假日名称']),
    col('scope', 'scope', false, ['范围', '对象', '组织'], 'company'),
  ],
  subscriptions: [
    col('subscription_id', 'string', true, [
      '订阅编号',
      '订阅ID',
      '订阅号',
      '合同编号',
      'subscription',
      'subscription id',
      'contract_id',
    ]),
    col('customer_id', 'string', true, CUSTOMER_ID),
    col('started_on', 'date', true, [
      '开始日期',
      '订阅日期',
      '开通日期',
      '生效日期',
      'start_date',
      'started',
    ]),
    // The last day paid for; blank while active.
    col('ended_on', 'date', false, [
      '结束日期',
      '退订日期',
      '取消日期',
      '终止日期',
      'end_date',
      'cancelled_on',
    ]),
    col('plan', 'string', false, ['套餐', '订阅套餐', '计划', '会员等级', 'plan_name', 'tier']),
    // month | quarter | year (月 / 季度 / 年, monthly, ...); checked by the CLV model, which says
    // in clv_models.note how many rows it left out for an unknown period.
    col(
      'billing_period',
      'string',
      false,
      ['计费周期', '付费周期', '周期', 'billing_cycle', 'interval'],
      'month',
    ),
    col('recurring_revenue', 'amount', false, [
      '月费',
      '年费',
      '订阅费',
      '周期费用',
      'fee',
      'price',
      'recurring_fee',
    ]),
    col('recurring_cost', 'amount', false, ['周期成本', '服务成本', '成本', 'cost']),
  ],
};

/** Columns whose sums are control totals: every amount column of the kind. */
export function amountColumns(kind: ExportKind): string[] {
  return KIND_COLUMNS[kind].filter((c) => c.type === 'amount').map((c) => c.name);
}

export const TARGET_METRICS = ['revenue', 'profit', 'orders', 'new_customers', 'margin_pct'] as const;

const METRIC_ALIASES: Record<string, (typeof TARGET_METRICS)[number]> = {
  revenue: 'revenue',
  销售额: 'revenue',
  收入: 'revenue',
  profit: 'profit',
  利润: 'profit',
  毛利: 'profit',
  orders: 'orders',
  订单数: 'orders',
  new_customers: 'new_customers',
  新客户数: 'new_customers',
  新客户: 'new_customers',
  margin_pct: 'margin_pct',
  margin: 'margin_pct',
  毛利率: 'margin_pct',
  利润率: 'margin_pct',
};

export function normaliseMetric(raw: string): (typeof TARGET_METRICS)[number] | null {
  return METRIC_ALIASES[raw.trim().toLowerCase()] ?? null;
}
