import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { LogCapture } from '../support/http-assert.ts';

/** The access log (http/access-log.ts): one line per answered request, written when it is answered. */
describe.each(BACKENDS)('the access log on %s', (backend) => {
  let h: Harness;
  const logs = new LogCapture();
  beforeAll(async () => {
    h = await createHarness(backend, { logStream: logs });
  });
  afterAll(async () => h?.close());

  /** The log records of the requests made to this URL (each test uses its own). */
  const linesOf = (url: string) => logs.records().filter((r) => (r.req as { url?: string } | undefined)?.url === url);

  it('writes one "request completed" line with the request, the status and the time taken', async () => {
    const a = await h.account();
    const res = await h.app.inject({ method: 'POST', url: '/sms/send?trace=1', headers: bearer(a.key), payload: { from: 'HELLIO', to: '+14155552671', message: 'hi' } });
    expect(res.statusCode, res.body).toBe(200);
    const mine = linesOf('/sms/send?trace=1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request completed', level: 30, req: { method: 'POST', url: '/sms/send?trace=1' }, res: { statusCode: 200 } });
    expect(typeof mine[0]!.responseTime).toBe('number');
    expect(typeof mine[0]!.reqId).toBe('string');
    expect(logs.text).not.toContain('incoming request');
    expect(logs.text).not.toContain(a.key.slice(3));
  });

  it('logs a refused request the same way, with its status', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/sms/send?refused=1', payload: { to: '+14155552671', message: 'hi' } });
    expect(res.statusCode).toBe(401);
    const mine = linesOf('/sms/send?refused=1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request completed', req: { method: 'POST' }, res: { statusCode: 401 } });
  });
});
