// Preloaded into a `cval` process by the crash-consistency test (node --import): counts the
// HTTP requests the AWS SDK makes to the local S3 and DynamoDB servers and SIGKILLs the process
// at the Nth, so a kill lands at a chosen point of the run (upload, ingest, compute, publish,
// items) whatever the machine's speed. With CVAL_TEST_COUNT_FILE set it writes the count at exit.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const killAt = Number(process.env.CVAL_TEST_KILL_AFTER_REQUESTS ?? 0);
const countFile = process.env.CVAL_TEST_COUNT_FILE;
let count = 0;
const original = http.request;
http.request = function request(...args) {
  count += 1;
  if (count === killAt) process.kill(process.pid, 'SIGKILL');
  return original.apply(this, args);
};
syncBuiltinESMExports();
if (countFile) process.on('exit', () => writeFileSync(countFile, String(count)));
