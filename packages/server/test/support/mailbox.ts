import { expect } from 'vitest';
import type { Harness } from './harness.ts';

/** Runs a worker until every due job is done: queued platform mail reaches the sandbox inbox. */
export async function deliverMail(h: Harness): Promise<void> {
  // Mail that requests queue after answering (a reset link) first.
  await h.rt.ctx.people.later.settled();
  await h.rt.createWorker({ pollMs: 10 }).drain();
}

/** What an address received (delivered first), newest first. */
export async function mailTo(h: Harness, address: string) {
  await deliverMail(h);
  return h.rt.store.delivery.inbox({ recipient: address, limit: 50 });
}

/** The token of the newest link to the dashboard page `page` that `address` received. */
export async function linkToken(h: Harness, address: string, page: string): Promise<string> {
  const pattern = new RegExp(`/dashboard/${page}\\?token=([A-Za-z0-9_-]+)`);
  for (const mail of await mailTo(h, address)) {
    const m = pattern.exec(mail.body);
    if (m) return m[1]!;
  }
  expect.fail(`no /dashboard/${page} link in the mail of ${address}`);
}
