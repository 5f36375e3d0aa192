/** Public surface of the target breakdown: what the handler and the CLI call. */
export { type ActualRow, actualsFromTransactions, halfOfDay, repTeamsFromTransactions } from './actuals.ts';
export {
  DEFAULT_TARGETS_CONFIG,
  type FiscalCalendarConfig,
  type FiscalYearRule,
  type HolidaySource,
  type PeriodPattern,
  type Phasing,
  type ReplanConfig,
  type RosterConfig,
  type TargetsConfig,
  type WorkingDayConfig,
  withTargetsDefaults,
} from './config.ts';
export type { Weekday } from './dates.ts';
export { type TargetError, type TargetErrorCode, TargetsConfigError } from './errors.ts';
export {
  buildFiscalYearCalendar,
  type FiscalYearCalendar,
  type Period,
  type TargetLevel,
} from './fiscal-calendar.ts';
export { type FiscalYearBounds, fiscalYearBounds, fiscalYearOf } from './fiscal-year.ts';
export { lastYearMonthlyActuals, lastYearPhasingActuals } from './last-year.ts';
export type { LastYearActuals } from './phasing.ts';
export {
  type PlannedSeries,
  type PlannedYear,
  type PlanTargetsInput,
  type PlanTargetsResult,
  planTargets,
} from './plan-targets.ts';
export {
  type RosterEntry,
  type RosterRecord,
  type RosterSpell,
  rosterFactor,
  rosterFromExport,
} from './roster.ts';
export { type StatutoryHoliday, statutoryHolidays } from './statutory-holidays.ts';
export {
  COLUMN_SCALE,
  type PeriodFigures,
  periodFigures,
  rescale,
  type TargetRow,
  unitsText,
  unrecoverableGap,
} from './target-rows.ts';
export type { TargetSource, TargetSources } from './validate-targets.ts';
export {
  buildWorkingDayCalendar,
  type DayOverride,
  dayOverridesFromExport,
  type WorkingDayCalendar,
} from './working-days.ts';
