/** Progress on a TTY (one rewritten line on stderr), silence otherwise so pipes and logs stay clean. */
export function progressReporter(enabled: boolean): { step(text: string): void; done(): void } {
  if (!enabled || !process.stderr.isTTY) return { step() {}, done() {} };
  let last = '';
  return {
    step(text) {
      last = text;
      process.stderr.write(`\r\x1b[2K… ${text}`);
    },
    done() {
      if (last) process.stderr.write('\r\x1b[2K');
    },
  };
}
