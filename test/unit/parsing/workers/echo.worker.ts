/** A worker that answers at once with what it was given, the reply protocol of runInWorker. */
import { parentPort, workerData } from 'node:worker_threads';

parentPort?.postMessage({ ok: true, value: { echoed: workerData as unknown } });
