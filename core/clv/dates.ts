/** The CLV code's day numbers are the project's one calendar module's epoch days. */
export { addDays, toEpochDay as dayNumber, toIsoDate as fromDayNumber } from '../calendar.ts';
