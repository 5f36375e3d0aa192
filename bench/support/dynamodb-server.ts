/**
 * `node --import tsx bench/support/dynamodb-server.ts <latency-ms> [<write-behind 0|1> [<dir>]]`: a DynamoDB-compatible
 * server (dynalite; in memory, or stored under <dir>) behind the counting proxy, in a process of its
 * own, so the server's work does not share the event loop (and the peak RSS) of the handlers under
 * measurement. Prints one JSON line, `{ "endpoint": ..., "server": ... }`, once both listen; the
 * proxy's counts are read and reset over HTTP (STATS_PATH, RESET_PATH). Ends when stdin closes.
 */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { startDynamoDbProxy } from './dynamodb-proxy.ts';

const latencyMs = Number(process.argv[2] ?? 10);
const writeBehind = process.argv[3] === '1';
const dir = process.argv[4];
const server = dynalite({
  ...(dir ? { path: dir } : {}),
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const proxy = await startDynamoDbProxy({ target, latencyMs, writeBehind });
process.stdout.write(`${JSON.stringify({ endpoint: proxy.endpoint, server: target })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await proxy.close();
  server.close(() => process.exit(0));
});
