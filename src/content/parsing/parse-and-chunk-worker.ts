/**
 * Worker-thread entry of parseAndChunkDocument. Separate from parse-worker because loading
 * LlamaIndex and its tokenizer costs about half a second, which plain parses should not pay.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { chunkDocument } from './chunk-document';
import { runParseJob, type ParseJob } from './parse-job';

if (parentPort) {
  const port = parentPort;
  void runParseJob(workerData as ParseJob, chunkDocument).then((reply) => port.postMessage(reply));
}
