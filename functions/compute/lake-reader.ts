import type { ObjectStore } from '../adapters/object-store.ts';

/** The lake as the compute job's loaders read it: list a prefix, read an object. */
export type LakeReader = Pick<ObjectStore, 'list' | 'getBytes'>;
