/** Locale support for the report and the CLI: message catalogues and locale formatting. Pure. */
export { groupThousands, isDecimalString, parseDecimal, roundDecimal } from './decimal-string.ts';
export { createFormatter, type Formatter, MISSING, type Numeric } from './format.ts';
export { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from './locale.ts';
export { fill, type Messages, messagesFor } from './messages.ts';
