import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_KINDS, KIND_COLUMNS } from '../core/exports/kinds.ts';
import { RESULT_TABLES } from '../core/tables.ts';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('documentation stays true to the code', () => {
  it('docs/exports.md lists every kind, column and accepted header name', () => {
    const doc = read('docs/exports.md');
    for (const kind of EXPORT_KINDS) {
      expect(doc).toContain(`### \`${kind}\``);
      for (const column of KIND_COLUMNS[kind]) {
        expect(doc).toContain(`| \`${column.name}\` |`);
        for (const alias of column.aliases) expect(doc, `${kind}.${column.name}`).toContain(alias);
      }
    }
  });

  it('the README shows the two set-up commands and names every output table', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    for (const table of RESULT_TABLES) expect(readme).toContain(`\`${table.name}\``);
  });

  it('.ci/run runs exactly the README test command', () => {
    expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
  });
});
