import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SOURCES = ['core', 'functions', 'infra', 'bench', 'test'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Files a package without an exports map documents for direct use, with where it says so. */
const DOCUMENTED_FILES: Record<string, string> = {
  'chinese-days/dist/chinese-days.json':
    'chinese-days README: the holiday data as a JSON file to use directly',
};

const PACKAGE = /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(\/.*)?$/;

/** `pkg` or `@scope/pkg`, and the subpath after it (empty for the package's main entry). */
function split(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const size = specifier.startsWith('@') ? 2 : 1;
  return { name: parts.slice(0, size).join('/'), subpath: parts.slice(size).join('/') };
}

/** The files an `exports` value leads to, whatever the conditions (type declarations left out). */
function targetsOf(value: unknown): string[] {
  if (typeof value === 'string') return /\.d\.[cm]?ts$/.test(value) ? [] : [value];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([condition, target]) =>
    condition === 'types' ? [] : targetsOf(target),
  );
}

/** The folder a target lies in; for a pattern, the folder its `*` is in ('./src/*.js': 'src/'). */
function folderOf(target: string): string {
  const head = target.split('*')[0] as string;
  return posix.normalize(head.slice(0, head.lastIndexOf('/') + 1) || './');
}

/**
 * Whether the package's `exports` map declares the subpath: exactly, or through a `*` pattern that
 * does not lay open the folder of the package's own entry point. Such a pattern (hyparquet's and
 * hyparquet-writer's "./src/*.js") exposes the modules the library is built of, one by one: what
 * it reaches are the library's internals, which any release may move or change.
 */
function declared(name: string, subpath: string): boolean {
  // Type-only packages (aws-lambda) live under @types.
  const folder = existsSync(join(ROOT, 'node_modules', name))
    ? name
    : `@types/${name.replace(/^@([^/]+)\//, '$1__')}`;
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', folder, 'package.json'), 'utf8'));
  if (DOCUMENTED_FILES[`${name}/${subpath}`]) return true;
  let exportsMap = manifest.exports;
  if (!exportsMap || typeof exportsMap === 'string') return subpath === '';
  // An exports object of conditions only ({types, default}) is the package's "." entry.
  if (!Object.keys(exportsMap).some((key) => key.startsWith('.'))) exportsMap = { '.': exportsMap };
  const wanted = subpath === '' ? '.' : `./${subpath}`;
  if (Object.hasOwn(exportsMap, wanted)) return true;
  const entryFolders = new Set(
    (exportsMap['.'] ? targetsOf(exportsMap['.']) : [manifest.main ?? './index.js']).map(folderOf),
  );
  return Object.entries(exportsMap).some(([key, target]) => {
    if (!key.includes('*')) return false;
    const [head, tail] = key.split('*') as [string, string];
    const matches =
      wanted.startsWith(head) && wanted.endsWith(tail) && wanted.length >= head.length + tail.length;
    return matches && !targetsOf(target).some((file) => entryFolders.has(folderOf(file)));
  });
}

function offendingImports(): string[] {
  const offenders: string[] = [];
  for (const file of SOURCES.flatMap(sourceFiles)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const statements = [
      ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ];
    for (const match of statements) {
      const specifier = match[1] as string;
      if (specifier.startsWith('node:') || specifier.startsWith('.') || !PACKAGE.test(specifier)) continue;
      const { name, subpath } = split(specifier);
      if (!declared(name, subpath)) offenders.push(`${file}: ${specifier}`);
    }
  }
  return offenders;
}

describe('libraries are imported through their public entry points only', () => {
  it('every bare import names a package entry point its exports map declares', () => {
    // No exceptions: the last internals (hyparquet's page-header reader, page decompression and
    // RLE decoder) went with issue #20; a library's missing export is written here, not reached for.
    expect(offendingImports()).toEqual([]);
  });

  it('the rule itself refuses a path a package does not export', () => {
    expect(declared('@aws-sdk/client-s3', '')).toBe(true);
    expect(declared('@aws-sdk/client-s3', 'dist-cjs/index.js')).toBe(false);
    expect(declared('@aws-lambda-powertools/logger', 'middleware')).toBe(true);
    expect(declared('@aws-lambda-powertools/logger', 'lib/esm/Logger.js')).toBe(false);
  });

  it('the rule itself refuses a module reached only through a pattern that exposes the source tree', () => {
    // "./src/*.js" opens src/, where the packages' entry points (src/index.js, src/node.js) live.
    expect(declared('hyparquet-writer', '')).toBe(true);
    expect(declared('hyparquet-writer', 'src/datapage.js')).toBe(false);
    expect(declared('hyparquet-writer', 'src/metadata.js')).toBe(false);
    expect(declared('hyparquet', 'src/column.js')).toBe(false);
    // A pattern into a folder of its own is still an entry point the package offers.
    expect(declared('zod', 'v4/locales/en.js')).toBe(true);
  });
});
