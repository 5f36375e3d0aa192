import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../functions/local/local-input.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a --config file', () => {
  it('may start with a byte order mark, as Windows Notepad saves UTF-8', async () => {
    // It was refused with "Unexpected token '\uFEFF'", a character nobody can see.
    const path = join(dir, 'zh.json');
    await writeFile(path, '\uFEFF{"locale": "zh-CN"}');
    expect(JSON.parse(await loadConfigFile(path))).toEqual({ locale: 'zh-CN' });
  });
});
