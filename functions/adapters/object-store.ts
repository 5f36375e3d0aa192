import { PassThrough, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** An object written as a stream: parts go up as they fill, so the whole body is never held. */
export interface ObjectUpload {
  /** Resolves once the chunk is taken (waits while the parts in flight are full). */
  write(chunk: Uint8Array): Promise<void>;
  /** The body is complete: the object appears. */
  end(): Promise<void>;
  /** Nothing of it appears (parts already sent are discarded). */
  abort(): Promise<void>;
}

/** S3's smallest part; with one part in flight an upload holds about two parts. */
const UPLOAD_PART_BYTES = 5 * 1024 * 1024;

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

  /**
   * The object's first `count` bytes (all of it when shorter). Not for an empty object: S3 refuses
   * any range of one.
   */
  async firstBytes(key: string, count: number): Promise<Uint8Array> {
    const response = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${count - 1}` }),
    );
    return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
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

  /**
   * Opens a streamed put of `key` (a multipart upload, or one put when the body stays under a
   * part): memory stays at a part or two whatever the size of the object.
   */
  openUpload(key: string, contentType: string): ObjectUpload {
    const body = new PassThrough();
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: UPLOAD_PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
    });
    const done = upload.done();
    let failed: unknown = null;
    // Awaited by end(); a failure before then surfaces through write().
    done.catch((error: unknown) => {
      failed = error;
      body.destroy();
    });
    return {
      write: async (chunk) => {
        if (failed) throw failed;
        if (body.write(chunk)) return;
        await new Promise<void>((resolve, reject) => {
          const settle = () => {
            body.off('drain', settle);
            body.off('close', settle);
            if (failed) reject(failed);
            else resolve();
          };
          body.on('drain', settle);
          body.on('close', settle);
        });
      },
      end: async () => {
        body.end();
        await done;
      },
      abort: async () => {
        await upload.abort();
        body.destroy();
        await done.catch(() => {});
      },
    };
  }

  /** The keys under the prefix, sorted; with `startAfter`, only those after it (S3 lists in key order). */
  async list(prefix: string, startAfter?: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: token,
          ...(startAfter === undefined ? {} : { StartAfter: startAfter }),
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** Every object under the prefix with its ETag (quotes removed) and size. */
  async listObjects(prefix = ''): Promise<{ key: string; etag: string; size: number }[]> {
    const objects: { key: string; etag: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key)
          objects.push({
            key: object.Key,
            etag: (object.ETag ?? '').replaceAll('"', ''),
            size: object.Size ?? 0,
          });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The current version id (absent when the bucket is unversioned) and ETag of an object, or null. */
  async head(key: string): Promise<{ versionId?: string; etag: string } | null> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      const versionId = response.VersionId && response.VersionId !== 'null' ? response.VersionId : undefined;
      return { ...(versionId ? { versionId } : {}), etag: (response.ETag ?? '').replaceAll('"', '') };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NotFound' || name === 'NoSuchKey') return null;
      throw error;
    }
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
   * Makes the objects under `stagingPrefix` the content of `finalPrefix`: copies them in and
   * removes what the final folder had beyond them. Readers of the final folder see the old or the
   * new set except for the moments of the copy; writers must write to staging first. Staging is
   * left as it is: the caller clears it once the whole publication is recorded, so a publication
   * that died midway can be run again from it (cleared here, a second run would find it empty and
   * empty the folders published the first time). `refuseEmpty`: staging always holds a part when
   * it was written (a run's tables), so finding none means a publication already took it: throw
   * instead of emptying the final folder.
   */
  async publishFolder(
    stagingPrefix: string,
    finalPrefix: string,
    options: { refuseEmpty?: boolean } = {},
  ): Promise<string[]> {
    const staged = await this.list(stagingPrefix);
    if (staged.length === 0 && options.refuseEmpty)
      throw new Error(
        `nothing staged under ${stagingPrefix}: published and cleared already (a late retry?); ${finalPrefix} is left as it is`,
      );
    const published = staged.map((key) => finalPrefix + key.slice(stagingPrefix.length));
    for (let i = 0; i < staged.length; i++) await this.copy(staged[i] as string, published[i] as string);
    const keep = new Set(published);
    await this.deleteKeys((await this.list(finalPrefix)).filter((key) => !keep.has(key)));
    return published;
  }
}
