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
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
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
  const files = await listFiles(dir);
  const remote = await remoteEtags(s3, bucket);
  const result: SyncResult = { uploaded: [], deleted: [], unchanged: [] };
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
