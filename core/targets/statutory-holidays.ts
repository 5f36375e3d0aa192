/**
 * China's statutory public holidays by rule (全国年节及纪念日放假办法, as revised in 2024, in force
 * from 2025), for the years whose official schedule is not published yet. The law fixes which days
 * are holidays; the State Council's yearly notice adds the bridging days off and the make-up working
 * days (调休), which no rule can know, so a year planned from this list is provisional.
 *
 * - New Year's Day: 1 January
 * - Spring Festival: New Year's Eve and the first three days of the first lunar month (4 days)
 * - Qingming: the day of the Pure Brightness solar term (4 or 5 April)
 * - Labour Day: 1 and 2 May
 * - Dragon Boat Festival: 5th day of the 5th lunar month
 * - Mid-Autumn Festival: 15th day of the 8th lunar month
 * - National Day: 1, 2 and 3 October
 *
 * Lunar dates and the solar term come from `lunar-typescript` (6tail's lunar calendar), which works on
 * plain year/month/day numbers, so the answer is the same in every time zone.
 */
import { Lunar } from 'lunar-typescript';
import { type EpochDay, fromYmd, toEpochDay } from './dates.ts';

export interface StatutoryHoliday {
  day: EpochDay;
  name: string;
}

const cache = new Map<number, StatutoryHoliday[]>();

/** The statutory holidays falling in Gregorian year `year`, in date order. */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  let days = cache.get(year);
  if (days) return days;
  const found: StatutoryHoliday[] = [];
  const add = (day: EpochDay, name: string) => found.push({ day, name });
  const fixed = (month: number, day: number, name: string) => add(fromYmd(year, month, day), name);
  const lunar = (lunarYear: number, month: number, day: number) => {
    const solar = Lunar.fromYmd(lunarYear, month, day).getSolar();
    return fromYmd(solar.getYear(), solar.getMonth(), solar.getDay());
  };
  fixed(1, 1, "New Year's Day, 元旦");
  // The lunar new year always falls between 21 January and 20 February, so in `year` itself.
  const springFestival = lunar(year, 1, 1);
  for (let offset = -1; offset <= 2; offset++) add(springFestival + offset, 'Spring Festival, 春节');
  const pureBrightness = Lunar.fromYmd(year, 3, 1).getJieQiTable().清明;
  if (pureBrightness) add(toEpochDay(pureBrightness.toYmd()), 'Qingming, 清明');
  fixed(5, 1, 'Labour Day, 劳动节');
  fixed(5, 2, 'Labour Day, 劳动节');
  add(lunar(year, 5, 5), 'Dragon Boat Festival, 端午');
  add(lunar(year, 8, 15), 'Mid-Autumn Festival, 中秋');
  for (const day of [1, 2, 3]) fixed(10, day, 'National Day, 国庆节');
  days = found.sort((a, b) => a.day - b.day);
  cache.set(year, days);
  return days;
}
