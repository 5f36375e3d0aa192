/**
 * A failure the user caused (bad option value, missing folder, bad config): the CLI prints it as one
 * line and exits 2. Imports nothing, so the CLI can tell bad input without loading any handler.
 */
export class UsageError extends Error {}
