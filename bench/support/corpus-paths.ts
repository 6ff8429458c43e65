import { join } from 'node:path';

/** The repository root, seen from the compiled bench in dist/bench/. */
export const ROOT = join(__dirname, '..', '..', '..');
/** The demo course shipped with the product. */
export const DEMO_DIR = join(ROOT, 'src', 'content', 'demo', 'course');
/** The extra course documents of the retrieval set. */
export const EXTRA_DIR = join(ROOT, 'bench', 'data', 'retrieval', 'documents');
/** Public data beside the repository (never copied in): the OpenStax Python book, one chapter a line. */
export const OPENSTAX_PYTHON = join(ROOT, '..', 'shared', 'data', 'openstax_intro_python.jsonl');
