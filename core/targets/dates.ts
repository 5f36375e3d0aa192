/**
 * The targets' calendar arithmetic is the project's one calendar module (epoch days, ISO weekdays,
 * ISO weeks); its names are kept here for the targets code that imports them.
 */
export {
  type EpochDay,
  fromYmd,
  isIsoDate,
  isoWeekLabel,
  lastDayOfMonth,
  toEpochDay,
  toIsoDate,
  type Weekday,
  weekdayOf,
  ymd,
} from '../calendar.ts';
