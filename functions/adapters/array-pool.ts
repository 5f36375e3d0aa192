/**
 * ArrayBuffers given back once their arrays are used up, to be taken again for the next batch of
 * the same shape. A batch of decoded transaction columns is about 60 MB, and fresh memory costs a
 * page fault per 4 KB when first written: the kernel's share of decoding twenty million lines was
 * about a third of it. Holds at most MAX_HELD_BYTES; anything beyond is left to the collector.
 */
export class ArrayPool {
  private readonly free: ArrayBuffer[] = [];
  private held = 0;

  /** A buffer of at least `bytes` bytes; its contents are whatever the last user left. */
  take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = (this.free[i] as ArrayBuffer).byteLength;
      if (size >= bytes && (best < 0 || size < (this.free[best] as ArrayBuffer).byteLength)) best = i;
    }
    if (best < 0) return new ArrayBuffer(bytes);
    const [buffer] = this.free.splice(best, 1) as [ArrayBuffer];
    this.held -= buffer.byteLength;
    return buffer;
  }

  /** Gives buffers back (shared, empty, detached and already held ones are passed over). */
  give(buffers: Iterable<ArrayBufferLike>): void {
    for (const buffer of buffers) {
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || this.free.includes(buffer)) continue;
      if (this.held + buffer.byteLength > MAX_HELD_BYTES) continue;
      this.free.push(buffer);
      this.held += buffer.byteLength;
    }
  }
}

/** About three batches' worth of decoded columns. */
const MAX_HELD_BYTES = 256 * 1024 * 1024;
