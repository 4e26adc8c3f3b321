// Entry of the text-to-speech worker thread. Worker threads do not inherit the loader hooks of
// the thread that starts them (Node 20), and the server runs from TypeScript source through tsx
// (bin/hellio.js) or vitest, so this plain-JS file registers tsx before loading the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');
