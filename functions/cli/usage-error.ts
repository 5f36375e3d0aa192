/**
 * Bad input the CLI finds itself, before any handler, server or database is loaded: printed as one
 * line, exit 2, like the UsageError of functions/local/run-local.ts (which would load them all).
 */
export class CommandLineError extends Error {}
