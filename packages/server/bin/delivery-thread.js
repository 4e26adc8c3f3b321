// The delivery thread of `hellio start` (src/main/delivery-thread.ts): a thread has its own module
// loader, so the TypeScript sources are registered here again, as bin/hellio.js does for the process.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runDeliveryThread } = await import('../src/main.ts');
await runDeliveryThread(parentPort, workerData.threadWriteLock);
