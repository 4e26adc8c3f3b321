import { describe, expect, it } from 'vitest';
import { Background } from '../../src/lib/background.ts';

describe('Background', () => {
  it('runs tasks without making the caller wait, reports failures, and settles once all have ended', async () => {
    const errors: unknown[] = [];
    const bg = new Background((err) => errors.push(err));
    const done: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    bg.run(async () => {
      await gate;
      done.push('slow');
      // A task may start another; settled() waits for it too.
      bg.run(async () => void done.push('follow-up'));
    });
    bg.run(async () => {
      throw new Error('boom');
    });
    expect(done).toEqual([]);
    let settled = false;
    const waiting = bg.settled().then(() => (settled = true));
    await new Promise((res) => setTimeout(res, 10));
    expect(settled).toBe(false);
    release();
    await waiting;
    expect(done).toEqual(['slow', 'follow-up']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
    await bg.settled();
  });
});
