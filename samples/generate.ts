/**
 * Generates the deterministic sample exports used by `npm start` (committed under samples/exports).
 * Run `npm run samples` after changing it. A seeded generator, so every run writes the same bytes.
 * The files deliberately look like what finance sends: Chinese headers, a GBK file, a tab-separated
 * file, amounts with currency symbols and thousands separators, and one bad row.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'exports');

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20260101);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const cents = (min: number, max: number) => Math.round((min + random() * (max - min)) * 100);
const money = (c: number) => (c / 100).toFixed(2);
const grouped = (c: number) => Number(money(c)).toLocaleString('en-US', { minimumFractionDigits: 2 });

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const START = Date.UTC(2024, 0, 1);
const END = Date.UTC(2026, 10, 20);

const SEGMENTS = ['企业客户', '中小企业', '个人客户'];
const CHANNELS = ['referral', 'search', 'events'];
const REGIONS = ['华东', '华北', '华南'];
const CATEGORIES = ['软件', '服务', '硬件'];
const TEAMS = { north: ['r01', 'r02', 'r03'], south: ['r04', 'r05'] } as const;
const TOUCHPOINTS = ['support_call', 'chat', 'email', 'visit'];

interface Customer {
  id: string;
  acquired: number;
  segment: string;
  channel: string;
  region: string;
  rate: number;
  spend: number;
  churnAt: number | null;
  referredBy: string | null;
}

const customers: Customer[] = [];
for (let i = 1; i <= 240; i++) {
  const acquired = START + Math.floor(random() * ((END - START) / DAY - 30)) * DAY;
  const segment = pick(SEGMENTS);
  const lifetimeDays = 60 + random() * 900;
  const churnAt = random() < 0.35 ? acquired + lifetimeDays * DAY : null;
  customers.push({
    id: `C${String(i).padStart(4, '0')}`,
    acquired,
    segment,
    channel: pick(CHANNELS),
    region: pick(REGIONS),
    rate: (segment === '企业客户' ? 1.5 : segment === '中小企业' ? 0.9 : 0.5) * (0.3 + random()),
    spend: segment === '企业客户' ? 3000 : segment === '中小企业' ? 800 : 150,
    churnAt: churnAt && churnAt < END ? churnAt : null,
    referredBy:
      i > 20 && random() < 0.1 ? `C${String(1 + Math.floor(random() * (i - 1))).padStart(4, '0')}` : null,
  });
}

async function write(path: string, content: string | Uint8Array) {
  const file = join(OUT, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}

const lines = (rows: (string | number)[][], delimiter = ',') =>
  `${rows.map((r) => r.map((v) => (String(v).includes(delimiter) || String(v).includes('"') ? `"${String(v).replaceAll('"', '""')}"` : String(v))).join(delimiter)).join('\r\n')}\r\n`;

async function main() {
  await rm(OUT, { recursive: true, force: true });

  // Customers: GBK with Chinese headers, as a Chinese ERP would export it.
  const customerRows: (string | number)[][] = [
    ['客户编号', '获客日期', '获客成本', '获客渠道', '客户类型', '地区', '推荐人', '流失日期'],
  ];
  for (const c of customers) {
    customerRows.push([
      c.id,
      iso(c.acquired).replaceAll('-', '/'),
      c.channel === 'referral' ? '' : money(cents(50, 600)),
      c.channel,
      c.segment,
      c.region,
      c.referredBy ?? '',
      c.churnAt ? iso(c.churnAt) : '',
    ]);
  }
  await write('customers/客户主数据.csv', iconv.encode(lines(customerRows), 'gbk'));

  // Transactions: one file per year, English headers, amounts with symbols and separators.
  const byYear = new Map<number, (string | number)[][]>();
  let order = 1;
  for (const c of customers) {
    const last = c.churnAt ?? END;
    let t = c.acquired;
    while (t <= last) {
      const year = new Date(t).getUTCFullYear();
      const team = pick(Object.keys(TEAMS) as (keyof typeof TEAMS)[]);
      const revenue = cents(c.spend * 0.5, c.spend * 1.5);
      const cost = Math.round(revenue * (0.35 + random() * 0.25));
      const returned = random() < 0.05 ? Math.round(revenue * 0.3) : 0;
      const rows = byYear.get(year) ?? [];
      rows.push([
        `SO${String(order++).padStart(6, '0')}`,
        c.id,
        iso(t),
        `¥${grouped(revenue)}`,
        money(cost),
        returned ? money(returned) : '',
        1 + Math.floor(random() * 5),
        `P${1 + Math.floor(random() * 30)}`,
        pick(CATEGORIES),
        pick(['online', 'direct']),
        pick(TEAMS[team]),
        team,
      ]);
      byYear.set(year, rows);
      t += Math.max(1, Math.round((365 / (c.rate * 12)) * (0.3 + random() * 1.4))) * DAY;
    }
  }
  for (const [year, rows] of byYear) {
    if (year === 2025)
      rows.splice(10, 0, [
        'SO999999',
        'C0001',
        '2025-13-01',
        '¥100.00',
        '40.00',
        '',
        1,
        'P1',
        '软件',
        'online',
        'r01',
        'north',
      ]);
    await write(
      `transactions/orders-${year}.csv`,
      lines([
        [
          'order_id',
          'customer_id',
          'order_date',
          'revenue',
          'cost',
          'returned_amount',
          'quantity',
          'product_id',
          'product_category',
          'channel',
          'rep_id',
          'team',
        ],
        ...rows,
      ]),
    );
  }

  // Interactions: tab-separated, Chinese headers.
  const interactionRows: (string | number)[][] = [['客户编号', '日期', '触点', '次数']];
  for (const c of customers) {
    const last = c.churnAt ?? END;
    for (let t = c.acquired + (cents(5, 40) * DAY) / 100; t <= last; t += (20 + random() * 80) * DAY) {
      interactionRows.push([c.id, iso(t), pick(TOUCHPOINTS), 1 + Math.floor(random() * 3)]);
    }
  }
  await write('interactions/service-log.tsv', lines(interactionRows, '\t'));

  const months: string[] = [];
  for (let y = 2024; y <= 2026; y++)
    for (let m = 1; m <= 12; m++) if (y < 2026 || m <= 11) months.push(`${y}-${String(m).padStart(2, '0')}`);
  await write(
    'touchpoint_costs/activity-costs.csv',
    lines([
      ['period', 'touchpoint', 'total_cost'],
      ...months.flatMap((p) => TOUCHPOINTS.map((tp) => [p, tp, money(cents(800, 4000))])),
    ]),
  );
  await write(
    'service_costs/service-centre.csv',
    lines([['期间', '净成本'], ...months.map((p) => [p, money(cents(800000, 1200000))])]),
  );
  const quarters = [
    '2024-Q1',
    '2024-Q2',
    '2024-Q3',
    '2024-Q4',
    '2025-Q1',
    '2025-Q2',
    '2025-Q3',
    '2025-Q4',
    '2026-Q1',
    '2026-Q2',
    '2026-Q3',
    '2026-Q4',
  ];
  await write(
    'retention_spend/retention.csv',
    lines([['period', 'amount', 'segment'], ...quarters.map((q) => [q, money(cents(5000, 12000)), ''])]),
  );
  await write(
    'acquisition_spend/marketing.csv',
    lines([
      ['period', 'amount', 'channel'],
      ...months.flatMap((p) => [
        [p, money(cents(3000, 8000)), 'search'],
        [p, money(cents(2000, 5000)), 'events'],
      ]),
    ]),
  );

  const satisfactionRows: (string | number)[][] = [['customer_id', 'surveyed_on', 'score']];
  for (const c of customers) {
    for (let t = c.acquired + 45 * DAY; t <= (c.churnAt ?? END); t += 120 * DAY) {
      const base = c.churnAt ? 30 : 70;
      satisfactionRows.push([c.id, iso(t), Math.min(100, Math.round(base + random() * 35))]);
    }
  }
  await write('satisfaction/survey.csv', lines(satisfactionRows));

  await write(
    'targets/fy2026.csv',
    lines([
      ['财年', '指标', '目标', '范围', '占比'],
      ['2026', '销售额', '4,000,000.00', 'company', ''],
      ['2026', 'revenue', '2400000.00', 'team:north', '60%'],
      ['2026', 'revenue', '1600000.00', 'team:south', '40%'],
      ['2026', 'revenue', '840000.00', 'rep:r01', '35%'],
      ['2026', 'revenue', '840000.00', 'rep:r02', '35%'],
      ['2026', 'revenue', '720000.00', 'rep:r03', '30%'],
      ['2026', 'revenue', '800000.00', 'rep:r04', '50%'],
      ['2026', 'revenue', '800000.00', 'rep:r05', '50%'],
      ['2026', 'orders', '1800', 'company', ''],
      ['2026', 'profit', '1,500,000.00', 'company', ''],
    ]),
  );
  process.stdout.write(`sample exports written to ${OUT}\n`);
}

await main();
