import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { stageConfigFor, stageConfigWithoutCdkJson, withApp } from './synth.ts';

/**
 * The infra tests leave nothing in the temp folder: CDK's `new App()` without an `outdir` makes a
 * `cdk.out*` folder there as it is constructed and nothing removes it (the suite used to leave 26
 * a run). Each case runs with TMPDIR pointed at a scratch folder of its own, so what it finds there
 * is what the code under test made, whatever else runs on the machine.
 */
function inScratchTmpdir(work: () => void): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'cval-tmpdir-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    expect(tmpdir()).toBe(scratch);
    work();
    return readdirSync(scratch);
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(scratch, { recursive: true, force: true });
  }
}

const ROOT = join(import.meta.dirname, '..', '..');

describe('CDK apps in tests leave no folder behind', () => {
  it('an App made without an outdir leaves a cdk.out folder (what the helpers are for)', () => {
    const left = inScratchTmpdir(() => {
      new App();
    });
    expect(left).toEqual([expect.stringMatching(/^cdk\.out/)]);
  });

  it('the stage settings helpers and withApp leave the temp folder as they found it, a refusal included', () => {
    const left = inScratchTmpdir(() => {
      expect(stageConfigFor({ stage: 'prod' }).stage).toBe('prod');
      expect(stageConfigWithoutCdkJson().stage).toBe('dev');
      expect(() => stageConfigFor({ stage: 'qa' })).toThrow(/no settings for "qa"/);
      expect(withApp({}, (app) => app.outdir.startsWith(tmpdir()))).toBe(true);
    });
    expect(left).toEqual([]);
  });

  it('every App a test makes has an outdir of its own (through withApp or synthStack)', () => {
    const files = readdirSync(join(ROOT, 'test'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => join(e.parentPath, e.name))
      // This file makes one without, on purpose, in a scratch TMPDIR.
      .filter((path) => path !== join(import.meta.dirname, 'temp-folders.test.ts'));
    const offenders: string[] = [];
    for (const path of files) {
      // Code only: comments may name what they warn about.
      const text = readFileSync(path, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      // An App, an App made for a Stack with no scope, or buildApp, with no outdir in its props.
      for (const match of text.matchAll(
        /new App\(([^)]*)\)|new Stack\(\s*(?:undefined\s*)?[,)]|buildApp\(([^)]*)\)/g,
      )) {
        if (/outdir/.test(match[0])) continue;
        offenders.push(`${relative(ROOT, path)}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
