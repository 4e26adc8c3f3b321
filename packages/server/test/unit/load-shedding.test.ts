import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { until } from '../support/wait.ts';
import { type DelayHistogram, eventLoopBusy, installLoadShedding } from '../../src/http/edge.ts';

/** A histogram whose mean the test sets (nanoseconds), as perf_hooks would measure it. */
function fakeHistogram(): DelayHistogram & { set(ms: number): void; resets: number } {
  let mean = NaN;
  return {
    get mean() {
      return mean;
    },
    resets: 0,
    set(ms: number) {
      mean = ms * 1e6;
    },
    reset() {
      this.resets++;
      mean = NaN;
    },
  };
}

describe('eventLoopBusy', () => {
  it('is busy for the window after one whose mean delay exceeded the limit, and not otherwise', () => {
    const h = fakeHistogram();
    const gauge = eventLoopBusy(100, h);
    try {
      expect(gauge.busy()).toBe(false);
      h.set(40);
      gauge.tick();
      expect(gauge.busy()).toBe(false);
      h.set(250);
      gauge.tick();
      expect(gauge.busy()).toBe(true);
      expect(h.resets).toBe(2);
      // No sample in a window (NaN): not busy.
      gauge.tick();
      expect(gauge.busy()).toBe(false);
      h.set(100);
      gauge.tick();
      expect(gauge.busy()).toBe(false);
    } finally {
      gauge.close();
    }
  });
});

describe('installLoadShedding', () => {
  it('sheds everything but health checks while the busy signal says so, and serves again after', async () => {
    const app = Fastify();
    let busy = false;
    let closed = 0;
    const shedder = installLoadShedding(app, { maxInFlight: 1000, busy: { busy: () => busy, close: () => void closed++ } });
    app.get('/work', async () => ({ ok: true }));
    app.get('/healthz', async () => ({ status: 'ok' }));
    await app.ready();
    try {
      expect((await app.inject({ method: 'GET', url: '/work' })).statusCode).toBe(200);
      busy = true;
      const shed = await app.inject({ method: 'GET', url: '/work' });
      expect(shed.statusCode).toBe(503);
      expect(shed.headers['retry-after']).toBe('1');
      expect(shed.json()).toEqual({ code: 'overloaded', message: expect.any(String), detail: shed.json().message });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      busy = false;
      expect((await app.inject({ method: 'GET', url: '/work' })).statusCode).toBe(200);
      expect(shedder.inFlight()).toBe(0);
    } finally {
      await app.close();
    }
    expect(closed).toBe(1);
  });

  it('counts a request in flight until its answer, and gives the slot back', async () => {
    const app = Fastify();
    const shedder = installLoadShedding(app, { maxInFlight: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.get('/slow', async () => {
      await gate;
      return { ok: true };
    });
    await app.ready();
    try {
      const first = app.inject({ method: 'GET', url: '/slow' });
      await until('the first request in flight', () => shedder.inFlight() === 1);
      expect((await app.inject({ method: 'GET', url: '/slow' })).statusCode).toBe(503);
      release();
      expect((await first).statusCode).toBe(200);
      expect(shedder.inFlight()).toBe(0);
      expect((await app.inject({ method: 'GET', url: '/slow' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
