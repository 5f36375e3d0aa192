/**
 * The messages a run record keeps: the first ones within `maxBytes`, and how many there were. A
 * run's warnings or errors can number thousands (a targets file with a mistake or a rounded amount
 * on every line, years of exports each with a word), past the 400 KB a DynamoDB item holds: the run
 * would then fail at its record, after publishing everything else, every time it ran. The run's
 * summary (the CLI, the log) has every one.
 */
export function recordedMessages(
  messages: readonly string[],
  maxBytes: number,
): { kept: string[]; count: number } {
  const kept: string[] = [];
  let bytes = 0;
  for (const message of messages) {
    bytes += Buffer.byteLength(message);
    if (bytes > maxBytes) break;
    kept.push(message);
  }
  return { kept, count: messages.length };
}
