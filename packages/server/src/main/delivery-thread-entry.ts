// The delivery thread's module (delivery-thread.ts starts it through bin/delivery-thread.js, which
// loads this from the bundle or, through tsx, from here): runs the worker role of main.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { runDeliveryThread } from '../main.ts';

await runDeliveryThread(parentPort!, (workerData as { threadWriteLock: SharedArrayBuffer }).threadWriteLock);
