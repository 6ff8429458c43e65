/** A worker that never answers and never yields: what a parser stuck in a loop looks like. */
export {};
let counter = 0;
for (;;) counter++;
