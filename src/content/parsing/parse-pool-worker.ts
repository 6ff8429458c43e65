/**
 * Entry of the parse pool's long-lived workers: parses a document and, when asked, chunks it.
 * LlamaIndex and its tokenizer are loaded once per worker, not once per document.
 */
// First, as in main.ts: a worker's stack traces point at the TypeScript sources too.
import '../../source-maps';
import { chunkDocument } from './chunk-document';
import { limitedTask } from './limited-task';
import { runParseJob, type ParseJob } from './parse-job';

export default limitedTask((job: ParseJob) => runParseJob(job, chunkDocument));
