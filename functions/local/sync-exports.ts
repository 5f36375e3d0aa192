import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * Makes the local exports bucket mirror a folder of exports, the way finance would upload them:
 * new or changed files are put (manifests first, so they are there when their export is read),
 * files gone from the folder are deleted. Unchanged files are left alone, so a rerun changes nothing.
 */
export interface SyncResult {
  uploaded: string[];
  deleted: string[];
  unchanged: string[];
  /** Files left out, each with why (hidden files the system or an editor leaves behind). */
  skipped: { file: string; reason: string }[];
}

/** What an export looks like; a hidden file that does not is system or editor litter. */
const EXPORT_NAME = /\.(csv|csv\.gz|manifest\.json)$/i;

async function listFiles(dir: string): Promise<{ files: string[]; skipped: SyncResult['skipped'] }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  const skipped: SyncResult['skipped'] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (entry.name.startsWith('.') && !EXPORT_NAME.test(entry.name))
      skipped.push({
        file: path,
        reason: 'hidden file that is not an export (.csv, .csv.gz, .manifest.json)',
      });
    else files.push(path);
  }
  return { files: files.sort(), skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : 1)) };
}

async function remoteEtags(s3: S3Client, bucket: string): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key && o.ETag) etags.set(o.Key, o.ETag.replaceAll('"', ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return etags;
}

export async function syncExports(s3: S3Client, bucket: string, dir: string): Promise<SyncResult> {
  const { files, skipped } = await listFiles(dir);
  const remote = await remoteEtags(s3, bucket);
  const result: SyncResult = { uploaded: [], deleted: [], unchanged: [], skipped };
  const manifestsFirst = [...files].sort(
    (a, b) => Number(!a.endsWith('.manifest.json')) - Number(!b.endsWith('.manifest.json')),
  );
  for (const key of manifestsFirst) {
    const body = await readFile(join(dir, key));
    const md5 = createHash('md5').update(body).digest('hex');
    if (remote.get(key) === md5) {
      result.unchanged.push(key);
      continue;
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    result.uploaded.push(key);
  }
  const present = new Set(files);
  for (const key of remote.keys()) {
    if (present.has(key)) continue;
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    result.deleted.push(key);
  }
  return result;
}
