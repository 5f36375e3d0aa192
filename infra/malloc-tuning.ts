/**
 * The compute job's C allocator setting. Loading twenty million transaction lines allocates and
 * frees thousands of buffers of a few megabytes; glibc raises its mmap threshold after the first
 * large free, so later buffers come from the heap and their memory is kept after they are freed
 * (measured: 1.1 GB of RSS held after the load at 1M customers / 20M lines, a 3.4 GB peak). A fixed
 * threshold (which also turns the raising off) hands buffers above 128 KiB back to the system when
 * freed: 2.7 GB peak. Read by glibc when the process starts, so it is set on the function, and the
 * compute benchmark runs its steps with it.
 */
export const COMPUTE_MALLOC_ENVIRONMENT = { MALLOC_MMAP_THRESHOLD_: '131072' } as const;
