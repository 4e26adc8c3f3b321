import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';

/**
 * SMS through the whole engine to a real SMSC: accepted by the API, delivered by the worker over
 * SMPP, and moved to its final status by the SMSC's delivery receipt.
 */
describe.each(BACKENDS)('SMS over SMPP through the worker on %s', (backend) => {
  let h: Harness;
  let smsc: TestSmsc;

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    const url = new URL(smsc.url);
    h = await createHarness(backend, { env: { HELLIO_SMPP_URL: `smpp://hellio:secret@127.0.0.1:${url.port}` } });
  });
  afterAll(async () => {
    await h?.close();
    await smsc?.close();
  });

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  async function poll<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('submits over SMPP, then the DELIVRD receipt makes the message delivered', async () => {
    const a = await h.account();
    const res = await api(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123456', message: 'Your code is 482910' });
    const id = res.json().messages[0].id;
    const worker = h.rt.createWorker({ pollMs: 10 });
    await worker.drain();
    const sent = (await api(a.key, 'GET', `/messages/${id}`)).json();
    expect(sent.status).toBe('sent');
    const submit = smsc.submits.find((s) => s.destAddr.endsWith('447911123456'))!;
    expect(submit.payload.toString('latin1')).toBe('Your code is 482910');
    expect(submit.sourceAddr).toBe('HELLIO');
    expect(submit.registeredDelivery & 1).toBe(1);

    await smsc.sendReceipt(submit.messageId!, 'DELIVRD');
    const m = await poll(async () => {
      const got = (await api(a.key, 'GET', `/messages/${id}`)).json();
      return got.status === 'delivered' ? got : undefined;
    }, 'delivered');
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    // The sent step: who took it, the SMSC's id, and its submit_sm_resp status.
    expect(m.events[2].detail).toBe(`accepted by smpp (id ${submit.messageId}): ESME_ROK`);
  });

  it('a long UCS-2 message goes as concatenated parts and is delivered when every part is', async () => {
    const a = await h.account();
    const text = 'Привет! '.repeat(20); // 160 UTF-16 units → 3 parts of ≤ 67
    const res = await api(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155552671', message: text });
    const { id, segments, encoding } = res.json().messages[0];
    expect({ segments, encoding }).toEqual({ segments: 3, encoding: 'UCS-2' });
    const before = smsc.submits.length;
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const parts = smsc.submits.slice(before);
    expect(parts).toHaveLength(3);
    expect(parts.every((p) => p.dataCoding === 8 && p.udh !== null)).toBe(true);
    await smsc.sendReceipt(parts[0]!.messageId!, 'DELIVRD');
    await smsc.sendReceipt(parts[1]!.messageId!, 'DELIVRD');
    // Two of three parts delivered: not yet delivered.
    await new Promise((r) => setTimeout(r, 100));
    expect((await api(a.key, 'GET', `/messages/${id}`)).json().status).toBe('sent');
    await smsc.sendReceipt(parts[2]!.messageId!, 'DELIVRD');
    await poll(async () => ((await api(a.key, 'GET', `/messages/${id}`)).json().status === 'delivered' ? true : undefined), 'delivered');
  });

  it('an UNDELIV receipt leaves the message undelivered (not refunded); a permanent SMSC refusal fails and refunds it', async () => {
    const a = await h.account({ balance: '1.00' });
    const r1 = await api(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155552672', message: 'one' });
    const id1 = r1.json().messages[0].id;
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const s1 = smsc.submits.find((s) => s.destAddr.endsWith('14155552672'))!;
    await smsc.sendReceipt(s1.messageId!, 'UNDELIV');
    await poll(async () => ((await api(a.key, 'GET', `/messages/${id1}`)).json().status === 'undelivered' ? true : undefined), 'undelivered');
    expect((await api(a.key, 'GET', '/balance')).json().balance).toBe('0.9920');

    const previous = smsc.onSubmit;
    smsc.onSubmit = (s) => (s.destAddr.endsWith('14155552673') ? { status: 0x0b /* ESME_RINVDSTADR */ } : undefined);
    try {
      const r2 = await api(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155552673', message: 'two' });
      const id2 = r2.json().messages[0].id;
      await h.rt.createWorker({ pollMs: 10 }).drain();
      const m2 = (await api(a.key, 'GET', `/messages/${id2}`)).json();
      expect(m2.status).toBe('failed');
      expect(m2.error).toContain('smpp');
      expect((await api(a.key, 'GET', '/balance')).json().balance).toBe('0.9920');
    } finally {
      smsc.onSubmit = previous;
    }
  });
});
