// Preloaded into a `cval` process by test/e2e/ingest-takeover.test.ts (node --import): SIGKILLs
// the process as it sends the first HTTP request whose "<METHOD> <path>" matches
// CVAL_TEST_KILL_ON_REQUEST (a regular expression), so a kill lands at a chosen step of the work
// (e.g. the first read of an export's bytes, inside its load) whatever the machine's speed.
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const pattern = process.env.CVAL_TEST_KILL_ON_REQUEST
  ? new RegExp(process.env.CVAL_TEST_KILL_ON_REQUEST)
  : null;
const original = http.request;
http.request = function request(...args) {
  const options = typeof args[0] === 'object' && !(args[0] instanceof URL) ? args[0] : (args[1] ?? {});
  const target = `${options.method ?? 'GET'} ${options.path ?? ''}`;
  if (pattern?.test(target)) process.kill(process.pid, 'SIGKILL');
  return original.apply(this, args);
};
syncBuiltinESMExports();
