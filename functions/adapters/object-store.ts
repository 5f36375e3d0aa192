import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** The S3 port: the few object operations the jobs need, over any S3-compatible endpoint. */
export class ObjectStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** The object's bytes as a stream, and its size when S3 tells it. */
  async openStream(key: string, versionId?: string): Promise<{ body: Readable; size: number | null }> {
    const response = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    return { body: response.Body as Readable, size: response.ContentLength ?? null };
  }

  async getText(key: string): Promise<string | null> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  /** The object's bytes, in a new array the caller owns (the compute job moves it to a worker thread). */
  async getBytes(key: string): Promise<Uint8Array> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/').replaceAll('%3D', '=')}`,
      }),
    );
  }

  async deleteKeys(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      const result = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(
          `could not delete ${result.Errors.length} object(s), first: ${result.Errors[0]?.Key}: ${result.Errors[0]?.Message}`,
        );
      }
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.deleteKeys(await this.list(prefix));
  }

  /**
   * Makes the objects under `stagingPrefix` the content of `finalPrefix`: copies them in, removes
   * what the final folder had beyond them, then clears staging. Readers of the final folder see
   * the old or the new set except for the moments of the copy; writers must write to staging first.
   */
  async publishFolder(stagingPrefix: string, finalPrefix: string): Promise<string[]> {
    const staged = await this.list(stagingPrefix);
    const published = staged.map((key) => finalPrefix + key.slice(stagingPrefix.length));
    for (let i = 0; i < staged.length; i++) await this.copy(staged[i] as string, published[i] as string);
    const keep = new Set(published);
    await this.deleteKeys((await this.list(finalPrefix)).filter((key) => !keep.has(key)));
    await this.deleteKeys(staged);
    return published;
  }
}
