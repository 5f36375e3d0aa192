import { createHash } from 'node:crypto';

/**
 * Export identity = bucket + key + version (the ETag when the bucket is unversioned): the same
 * upload delivered twice has one id; a new version of the key is a new export.
 */
export interface ExportSource {
  bucket: string;
  key: string;
  version: string;
}

export function exportId(source: ExportSource): string {
  const digest = createHash('sha256')
    .update(`${source.bucket}\n${source.key}\n${source.version}`)
    .digest('hex');
  return digest.slice(0, 20);
}

/** Kind = first path segment; sidecar manifests and folder markers are not exports. */
export function kindOfKey(key: string): string | null {
  const [first, ...rest] = key.split('/');
  if (!first || rest.length === 0) return null;
  return first;
}

const MANIFEST_SUFFIX = '.manifest.json';

export function isManifestKey(key: string): boolean {
  return key.endsWith(MANIFEST_SUFFIX);
}

export function manifestKeyFor(key: string): string {
  return `${key}${MANIFEST_SUFFIX}`;
}

/** The key of the file a manifest key describes (manifestKeyFor's inverse). */
export function fileKeyOfManifest(manifestKey: string): string {
  return manifestKey.slice(0, -MANIFEST_SUFFIX.length);
}
