/** A worker that never answers and never yields: what a parser stuck in a loop looks like. */
export {};
let _spins = 0;
for (;;) _spins++;
