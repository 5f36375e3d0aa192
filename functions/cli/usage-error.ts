import { UsageError } from '../shared/usage-error.ts';

/**
 * Bad input the CLI finds itself, before any handler, server or database is loaded: printed as one
 * line, exit 2. A UsageError like those of functions/local, so one `instanceof` tells bad input.
 */
export class CommandLineError extends UsageError {}
