/**
 * Two sizes of one collection timed side by side: each sample calls the operation on the small
 * collection, then on the large, so that the machine's load falls on both alike. Answers the
 * median of each and their ratio (the large over the small).
 */
import type mongoose from 'mongoose';

export interface Sized { collection: mongoose.mongo.Collection; size: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `op` gets the collection, its size and the sample's number (to pick a document spread over it). */
export async function sideBySide(small: Sized, large: Sized, samples: number, op: (c: mongoose.mongo.Collection, size: number, i: number) => Promise<unknown>) {
  const times = { small: [] as number[], large: [] as number[] };
  for (let i = 0; i < samples; i++) {
    for (const [name, { collection, size }] of [['small', small], ['large', large]] as const) {
      const start = performance.now();
      await op(collection, size, i);
      times[name].push(performance.now() - start);
    }
  }
  return { small: median(times.small), large: median(times.large), ratio: median(times.large) / median(times.small) };
}
