import { isoWeekLabel, toEpochDay } from './calendar.ts';
import type { IsoDate } from './records.ts';
import { mondayOf } from './targets/week.ts';

/**
 * The first day the Athena tables show: their partition projection starts here (infra/catalog.ts),
 * so a run on AWS as of an earlier day would be published where no query finds it. Local runs of
 * older data (the published CLV datasets of the 1990s) read it with DuckDB and may.
 */
export const FIRST_RUN_DAY = '2020-01-01';

/**
 * Why a run cannot be as of `day` when it is `today` in `timeZone`, or null. A day after today
 * would be published as the newest run: every later run of today stays behind it (the report, the
 * named queries' latest as_of, the LATEST lookup items).
 */
export function runDayRefusal(label: string, day: string, today: string, timeZone: string): string | null {
  if (day > today)
    return `${label} ${day} is after today (${today} in ${timeZone}): a run is as of a day that has come`;
  return null;
}

/** Why a run on AWS cannot be as of `day`, or null: Athena would not show it (FIRST_RUN_DAY). */
export function athenaDayRefusal(label: string, day: string): string | null {
  if (day < FIRST_RUN_DAY)
    return `${label} ${day} is before ${FIRST_RUN_DAY}, the first day the Athena tables show (their partition projection starts there)`;
  return null;
}

/**
 * Why targets cannot be re-planned as of the week starting `monday` (`week` its label) when it is
 * `today` in `timeZone`, or null: a week that has not begun would count the days before it as
 * finished with no sales, and its run would become the one the goal lookups serve.
 */
export function targetWeekRefusal(
  label: string,
  week: string,
  monday: IsoDate,
  today: IsoDate,
  timeZone: string,
): string | null {
  const thisMonday = mondayOf(today);
  if (monday <= thisMonday) return null;
  return `${label} ${week} has not begun (this week is ${isoWeekLabel(toEpochDay(thisMonday))} in ${timeZone}): targets are re-planned as of a week that has come`;
}
