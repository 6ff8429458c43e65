/** A worker that holds on to ever more memory: what a decompression bomb looks like to its reader. */
export {};
const hoard: string[][] = [];
for (;;) hoard.push(Array.from({ length: 10_000 }, (_, i) => `${i}-${hoard.length}-${Math.random()}`));
