// Helpers the bench scripts share.
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Resolves once `url` answers 2xx (a child server is up); throws after ~`tries` × 100 ms. */
export async function waitFor(url, tries = 300) {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}
