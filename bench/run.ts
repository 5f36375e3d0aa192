/**
 * `npm run bench -- <name> [--option value ...]`: runs the function bench/<name>.ts exports
 * (the first exported function whose name starts with "run"), passing numeric --options.
 */
const [name, ...rest] = process.argv.slice(2);
if (!name || !/^[a-z0-9_-]+$/i.test(name)) {
  console.error('usage: npm run bench -- <name> [--option value ...]   (bench/<name>.ts)');
  process.exit(1);
}
const options: Record<string, number> = {};
for (let i = 0; i + 1 < rest.length; i += 2) options[rest[i]!.replace(/^--/, '')] = Number(rest[i + 1]);
const module = (await import(`./${name}.ts`)) as Record<string, unknown>;
const run = Object.entries(module).find(
  ([key, value]) => key.startsWith('run') && typeof value === 'function',
)?.[1];
if (typeof run !== 'function') {
  console.error(`bench/${name}.ts exports no run function`);
  process.exit(1);
}
await (run as (options: Record<string, number>) => Promise<void>)(options);
