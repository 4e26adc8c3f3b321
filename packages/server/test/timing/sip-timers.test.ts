import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, FakePeer, request, trunk } from '../support/sip-peer.ts';

/**
 * Timer A in time: an unanswered INVITE is sent again after T1, 2·T1, 4·T1… (RFC 3261 17.1.1.2).
 * Judged here, with nothing else running (vitest.timing.config.ts), because a loaded machine makes
 * timers late by tens of milliseconds; test/providers/voice/sip-transactions.test.ts checks the
 * rest of the transaction (never early, the count, timer B, one branch) in the main run.
 */
afterEach(closeAll);

describe('SIP timer A', () => {
  it('doubles the interval from T1, each retransmission within a few ms of its time', async () => {
    const peer = await FakePeer.start();
    const t = trunk(peer.port, 50);
    const started = performance.now();
    const outcome = await t.call(request());
    expect(outcome).toMatchObject({ status: 'failed', trunkFailure: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(3200 - 5);
    const invites = peer.requests('INVITE');
    expect(invites.length).toBeGreaterThanOrEqual(6);
    const gaps = invites.slice(1).map((g, i) => g.at - invites[i]!.at);
    gaps.forEach((gap, i) => expect(Math.abs(gap - 50 * 2 ** i), `gap ${i}: ${gaps.join(', ')}`).toBeLessThan(15 + 2 ** i));
  });
});
