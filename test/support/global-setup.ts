import { MONGODB_SKIP_REASON, MONGODB_TEST_URI } from './mongo';

/** Jest's global setup (jest.config.js): says once per run, not once per suite, what does not run. */
export default function globalSetup(): void {
  if (!MONGODB_TEST_URI)
    process.stdout.write(`\n${MONGODB_SKIP_REASON}: the MongoDB half of the tests is skipped (see README, MongoDB).\n`);
}
