/**
 * Worker-thread entry of parseDocument: parses one document, posts the outcome once, and is then
 * terminated by the parent, which also enforces the time and heap limits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runParseJob, type ParseJob } from './parse-job';

if (parentPort) {
  const port = parentPort;
  void runParseJob(workerData as ParseJob).then((reply) => port.postMessage(reply));
}
