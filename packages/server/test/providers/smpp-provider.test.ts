import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeSms } from '../../src/lib/sms-encoding.ts';
import type { SmsReceipt, SmsSubmit, SmsSubmitResult } from '../../src/providers/sms/sms-provider.ts';
import { decodeGsm7 } from '../../src/providers/sms/smpp-gsm.ts';
import { SmppProvider, type SmppProviderOptions } from '../../src/providers/sms/smpp-provider.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';

const execFileP = promisify(execFile);
const CREDS = { systemId: 'hellio', password: 's3cret' };
const ESME_RMSGQFUL = 0x14;
const ESME_RINVDSTADR = 0x0b;
const ESME_RTHROTTLED = 0x58;
const ESME_RX_T_APPN = 0x64;

// Short timings so reconnects and throttling play out in milliseconds.
const FAST: SmppProviderOptions = {
  enquireLinkMs: 1_000,
  submitTimeoutMs: 3_000,
  reconnectBaseMs: 20,
  reconnectMaxMs: 200,
  throttleBackoffMs: 20,
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: SmppProviderOptions = {}): Promise<{ smsc: TestSmsc; provider: SmppProvider; warnings: string[] }> {
  const smsc = await startSmsc(CREDS);
  cleanups.push(() => smsc.close());
  const warnings: string[] = [];
  const provider = SmppProvider.fromUrl(smsc.url, { ...FAST, ...opts, logger: { warn: (_o, msg) => warnings.push(msg) } });
  cleanups.push(() => provider.close());
  return { smsc, provider, warnings };
}

function sms(text: string, overrides: Partial<SmsSubmit> = {}): SmsSubmit {
  return { messageId: 'msg_test', from: 'Hellio', to: '+447700900123', text, encoding: analyzeSms(text).encoding, ...overrides };
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function ids(result: SmsSubmitResult): string[] {
  if (!result.ok) throw new Error(`submit failed: ${result.code} ${result.error}`);
  return result.providerMessageIds;
}

describe('SmppProvider', () => {
  describe('fromUrl', () => {
    it('rejects URLs that are not smpp://', () => {
      expect(() => SmppProvider.fromUrl('http://a:b@host:2775')).toThrow(/smpp:\/\//);
      expect(() => SmppProvider.fromUrl('smpp://host:2775')).toThrow(/system_id/);
      expect(() => SmppProvider.fromUrl('not a url')).toThrow();
    });

    it('decodes percent-encoded credentials', async () => {
      const smsc = await startSmsc({ systemId: 'acme', password: 'p@ss:w/rd' });
      cleanups.push(() => smsc.close());
      const provider = SmppProvider.fromUrl(smsc.url, FAST);
      cleanups.push(() => provider.close());
      await provider.connect();
      expect(smsc.binds).toEqual([{ systemId: 'acme', ok: true }]);
    });
  });

  describe('submitting', () => {
    it('sends a GSM-7 message as data_coding 0 in the default alphabet, asking for a receipt', async () => {
      const { smsc, provider } = await setup();
      const result = await provider.submit(sms('Hi {€}@_', { from: '+15551234567', to: '+447700900123' }));

      expect(smsc.submits).toHaveLength(1);
      const pdu = smsc.submits[0]!;
      expect(ids(result)).toEqual([pdu.messageId]);
      expect(pdu.dataCoding).toBe(0);
      expect(pdu.esmClass).toBe(0);
      expect(pdu.udh).toBeNull();
      expect(pdu.registeredDelivery).toBe(1);
      expect(pdu.shortMessage.toString('hex')).toBe('4869201b281b651b290011');
      expect(pdu).toMatchObject({ sourceAddr: '15551234567', sourceTon: 1, sourceNpi: 1, destAddr: '447700900123', destTon: 1, destNpi: 1 });
    });

    it('sends an alphanumeric sender with TON 5', async () => {
      const { smsc, provider } = await setup();
      ids(await provider.submit(sms('hello', { from: 'Hellio' })));
      expect(smsc.submits[0]).toMatchObject({ sourceAddr: 'Hellio', sourceTon: 5, sourceNpi: 0 });
    });

    it('sends a UCS-2 message as data_coding 8 in UTF-16BE', async () => {
      const { smsc, provider } = await setup();
      const text = 'Привет, 世界 😀';
      ids(await provider.submit(sms(text)));
      const pdu = smsc.submits[0]!;
      expect(pdu.dataCoding).toBe(8);
      expect(pdu.udh).toBeNull();
      expect(pdu.registeredDelivery).toBe(1);
      expect(pdu.shortMessage.swap16().toString('utf16le')).toBe(text);
    });

    it('splits a long GSM-7 message into three concatenated parts', async () => {
      const { smsc, provider } = await setup();
      const text = Array.from({ length: 400 }, (_, i) => 'abcdefghij€'[i % 11]).join('').slice(0, 400);
      const result = await provider.submit(sms(text));

      expect(smsc.submits).toHaveLength(3);
      expect(ids(result)).toEqual(smsc.submits.map((s) => s.messageId));
      const udhs = smsc.submits.map((s) => s.udh!);
      const ref = udhs[0]![3];
      udhs.forEach((udh, i) => expect([...udh]).toEqual([0x05, 0x00, 0x03, ref, 3, i + 1]));
      for (const s of smsc.submits) {
        expect(s.esmClass & 0x40).toBe(0x40);
        expect(s.dataCoding).toBe(0);
        expect(s.registeredDelivery).toBe(1);
      }
      expect(smsc.submits.map((s) => decodeGsm7(s.payload)).join('')).toBe(text);
    });

    it('gives each long message its own concatenation reference', async () => {
      const { smsc, provider } = await setup();
      ids(await provider.submit(sms('x'.repeat(200))));
      ids(await provider.submit(sms('y'.repeat(200))));
      expect(smsc.submits[0]!.udh![3]).not.toBe(smsc.submits[2]!.udh![3]);
    });

    it('splits a long UCS-2 message without breaking surrogate pairs', async () => {
      const { smsc, provider } = await setup();
      const text = 'Привет 😀 '.repeat(20);
      ids(await provider.submit(sms(text)));
      expect(smsc.submits).toHaveLength(analyzeSms(text).segments);
      const body = Buffer.concat(smsc.submits.map((s) => s.payload));
      expect(body.swap16().toString('utf16le')).toBe(text);
      for (const s of smsc.submits) expect(s.dataCoding).toBe(8);
    });

    it('refuses permanently, without sending, a GSM-7 message with characters outside the alphabet', async () => {
      const { smsc, provider } = await setup();
      const result = await provider.submit(sms('ça va', { encoding: 'GSM-7' }));
      expect(result).toMatchObject({ ok: false, retryable: false, code: 'ENCODING' });
      expect(smsc.submits).toHaveLength(0);
    });
  });

  describe('SMSC refusals', () => {
    it('reports an invalid destination as permanent', async () => {
      const { smsc, provider } = await setup();
      smsc.onSubmit = (s) => (s.destAddr === '15005550001' ? { status: ESME_RINVDSTADR } : undefined);
      const result = await provider.submit(sms('hello', { to: '+15005550001' }));
      expect(result).toMatchObject({ ok: false, retryable: false, code: 'ESME_RINVDSTADR' });
      ids(await provider.submit(sms('hello')));
    });

    it('reports a full message queue as retryable', async () => {
      const { smsc, provider } = await setup();
      smsc.onSubmit = () => ({ status: ESME_RMSGQFUL });
      expect(await provider.submit(sms('hello'))).toMatchObject({ ok: false, retryable: true, code: 'ESME_RMSGQFUL' });
    });

    it('treats an unknown status as retryable and logs it', async () => {
      const { smsc, provider, warnings } = await setup();
      smsc.onSubmit = () => ({ status: 0x0455 });
      expect(await provider.submit(sms('hello'))).toMatchObject({ ok: false, retryable: true, code: 'SMPP_0x0455' });
      expect(warnings.some((w) => /unknown command_status/.test(w))).toBe(true);
    });

    it('makes a long message permanent when one part is refused, and sends no further parts', async () => {
      const { smsc, provider } = await setup({ windowSize: 1 });
      smsc.onSubmit = (_s, i) => (i === 1 ? { status: ESME_RINVDSTADR } : undefined);
      const result = await provider.submit(sms('z'.repeat(400)));
      expect(result).toMatchObject({ ok: false, retryable: false, code: 'ESME_RINVDSTADR' });
      expect(result.ok === false && result.error).toMatch(/part 2 of 3.*1 other part/);
      expect(smsc.submits).toHaveLength(2);
    });
  });

  describe('window and throttling', () => {
    it('never has more than windowSize submits outstanding, and completes them all', async () => {
      const { smsc, provider } = await setup({ windowSize: 5 });
      smsc.onSubmit = () => ({ delayMs: 15 });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => provider.submit(sms(`message ${i}`))));
      for (const r of results) ids(r);
      expect(smsc.submits).toHaveLength(20);
      expect(smsc.maxInFlight).toBe(5);
      expect(new Set(results.flatMap(ids)).size).toBe(20);
    });

    it('completes every submit under maxPerSecond', async () => {
      const { smsc, provider } = await setup({ maxPerSecond: 200 });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => provider.submit(sms(`m${i}`))));
      for (const r of results) ids(r);
      expect(smsc.submits).toHaveLength(10);
    });

    it('backs off on ESME_RTHROTTLED and gets every message accepted, within the window', async () => {
      const { smsc, provider, warnings } = await setup({ windowSize: 3, maxPerSecond: 500, maxThrottleRetries: 5 });
      let throttled = 0;
      smsc.onSubmit = () => {
        if (throttled < 4) {
          throttled++;
          return { status: ESME_RTHROTTLED, delayMs: 5 };
        }
        return { delayMs: 5 };
      };
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => provider.submit(sms(`burst ${i}`))));
      for (const r of results) ids(r);
      expect(throttled).toBe(4);
      expect(smsc.submits.filter((s) => s.status === 0)).toHaveLength(8);
      expect(smsc.submits.filter((s) => s.status === ESME_RTHROTTLED)).toHaveLength(4);
      expect(smsc.maxInFlight).toBeLessThanOrEqual(3);
      expect(warnings.some((w) => /throttled/.test(w))).toBe(true);
    });

    it('tells the caller, with a retry delay, when throttling outlasts its retries', async () => {
      const { smsc, provider } = await setup({ maxThrottleRetries: 1 });
      smsc.onSubmit = () => ({ status: ESME_RTHROTTLED });
      const result = await provider.submit(sms('hello'));
      expect(result).toMatchObject({ ok: false, retryable: true, code: 'ESME_RTHROTTLED' });
      expect(result.ok === false && typeof result.retryAfterMs).toBe('number');
      expect(smsc.submits).toHaveLength(2);
    });
  });

  describe('receipts', () => {
    it('maps DELIVRD, UNDELIV, REJECTD and EXPIRED receipts to statuses', async () => {
      const { smsc, provider } = await setup();
      const receipts: SmsReceipt[] = [];
      provider.onReceipt(async (r) => void receipts.push(r));
      const stats = ['DELIVRD', 'UNDELIV', 'REJECTD', 'EXPIRED'];
      const submitted: string[] = [];
      for (const _ of stats) submitted.push(...ids(await provider.submit(sms('hello'))));

      for (const [i, stat] of stats.entries()) expect(await smsc.sendReceipt(submitted[i]!, stat)).toBe(0);

      expect(receipts.map((r) => [r.providerMessageId, r.status, r.detail])).toEqual([
        [submitted[0], 'delivered', 'DELIVRD'],
        [submitted[1], 'undelivered', 'UNDELIV'],
        [submitted[2], 'undelivered', 'REJECTD'],
        [submitted[3], 'failed', 'EXPIRED'],
      ]);
      for (const r of receipts) expect(typeof r.at).toBe('number');
    });

    it('takes the id from receipted_message_id when the text carries another form of it', async () => {
      const { smsc, provider } = await setup();
      const receipts: SmsReceipt[] = [];
      provider.onReceipt(async (r) => void receipts.push(r));
      const [id] = ids(await provider.submit(sms('hello')));
      await smsc.sendReceipt(id!, 'DELIVRD', { tlv: true, textId: '1234567' });
      expect(receipts).toMatchObject([{ providerMessageId: id, status: 'delivered' }]);
    });

    it('acknowledges but does not report intermediate receipts; hands mobile-originated messages to the inbound handler, not as receipts', async () => {
      const { smsc, provider } = await setup();
      const receipts: SmsReceipt[] = [];
      provider.onReceipt(async (r) => void receipts.push(r));
      const [id] = ids(await provider.submit(sms('hello')));
      expect(await smsc.sendReceipt(id!, 'ENROUTE')).toBe(0);
      // No inbound handler yet: the SMSC is asked to deliver it again later, not told it arrived.
      expect(await smsc.sendMo('STOP')).toBe(ESME_RX_T_APPN);
      const inbound: unknown[] = [];
      provider.onInbound((part) => {
        inbound.push(part);
        return Promise.resolve();
      });
      expect(await smsc.sendMo('STOP')).toBe(0);
      expect(receipts).toEqual([]);
      expect(inbound).toEqual([{ from: '+447700900999', to: 'Hellio', text: 'STOP', concat: null }]);
    });

    it('asks the SMSC to redeliver a receipt the handler could not take', async () => {
      const { smsc, provider } = await setup();
      const [id] = ids(await provider.submit(sms('hello')));
      // No handler yet.
      expect(await smsc.sendReceipt(id!, 'DELIVRD')).toBe(ESME_RX_T_APPN);
      let fail = true;
      const stored: SmsReceipt[] = [];
      provider.onReceipt(async (r) => {
        await new Promise((res) => setTimeout(res, 5));
        if (fail) throw new Error('database down');
        stored.push(r);
      });
      expect(await smsc.sendReceipt(id!, 'DELIVRD')).toBe(ESME_RX_T_APPN);
      fail = false;
      expect(await smsc.sendReceipt(id!, 'DELIVRD')).toBe(0);
      expect(stored).toMatchObject([{ providerMessageId: id, status: 'delivered' }]);
    });
  });

  describe('window', () => {
    it('keeps at most windowSize submits outstanding, and sends the queued ones as answers come', async () => {
      const { smsc, provider } = await setup({ windowSize: 3 });
      let most = 0;
      smsc.onSubmit = () => {
        most = Math.max(most, smsc.inFlight);
        return { delayMs: 20 };
      };
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => provider.submit(sms(`windowed ${i}`, { to: `+4477009001${String(i).padStart(2, '0')}` }))));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(smsc.submits).toHaveLength(12);
      expect(most).toBeLessThanOrEqual(3);
    });

    it('gives up a part that waited too long for the window, unsent (retryable), instead of sending it late', async () => {
      const { smsc, provider } = await setup({ windowSize: 1, queueTimeoutMs: 100, submitTimeoutMs: 400 });
      smsc.onSubmit = () => ({ hold: true });
      const first = provider.submit(sms('holds the window', { to: '+447700900201' }));
      const second = provider.submit(sms('waits behind it', { to: '+447700900202' }));
      expect(await first).toMatchObject({ ok: false, retryable: true, code: 'TIMEOUT' });
      expect(await second).toMatchObject({ ok: false, retryable: true, code: 'QUEUE_TIMEOUT' });
      // Only the first ever reached the SMSC: the second can be resent without a duplicate.
      expect(smsc.submits.map((x) => x.destAddr)).toEqual(['447700900201']);
    });
  });

  describe('connection', () => {
    it('fails in-flight submits as retryable when the SMSC drops, then rebinds and sends again', async () => {
      const { smsc, provider, warnings } = await setup();
      smsc.onSubmit = () => ({ hold: true });
      const pending = Array.from({ length: 3 }, (_, i) => provider.submit(sms(`in flight ${i}`)));
      await until(() => smsc.submits.length === 3, 'three submits at the SMSC');
      smsc.dropConnections();
      for (const r of await Promise.all(pending)) expect(r).toMatchObject({ ok: false, retryable: true, code: 'CONNECTION_LOST' });
      expect(warnings).toContain('smpp: connection lost');

      smsc.onSubmit = () => undefined;
      await provider.connect();
      ids(await provider.submit(sms('after the drop')));
      expect(smsc.binds.filter((b) => b.ok)).toHaveLength(2);
    });

    it('answers retryable with a retry delay while waiting to reconnect', async () => {
      const { smsc, provider, warnings } = await setup({ reconnectBaseMs: 2_000, reconnectMaxMs: 2_000 });
      await provider.connect();
      smsc.dropConnections();
      await until(() => warnings.includes('smpp: connection lost'), 'the provider to notice the drop');
      const result = await provider.submit(sms('x'));
      expect(result).toMatchObject({ ok: false, retryable: true, code: 'CONNECTION_LOST' });
      expect(result.ok === false && result.retryAfterMs).toBeGreaterThan(0);
      expect(smsc.submits).toHaveLength(0);
    });

    it('acknowledges an unbind from the SMSC and binds again', async () => {
      const { smsc, provider } = await setup();
      await provider.connect();
      expect(await smsc.requestUnbind()).toBe(0);
      await until(() => smsc.binds.length === 2, 'a second bind');
      await provider.connect();
      ids(await provider.submit(sms('back again')));
    });

    it('reconnects when enquire_link goes unanswered', async () => {
      const { smsc, provider } = await setup({ enquireLinkMs: 30 });
      await provider.connect();
      smsc.answerEnquireLink = false;
      await until(() => smsc.binds.length >= 2, 'a second bind');
      smsc.answerEnquireLink = true;
      await provider.connect();
      ids(await provider.submit(sms('still here')));
    });

    it('reports refused credentials as retryable without hanging', async () => {
      const smsc = await startSmsc(CREDS);
      cleanups.push(() => smsc.close());
      const warnings: string[] = [];
      const provider = SmppProvider.fromUrl(smsc.url.replace('s3cret', 'wrong'), { ...FAST, logger: { warn: (_o, m) => warnings.push(m) } });
      cleanups.push(() => provider.close());

      const result = await provider.submit(sms('hello'));
      expect(result).toMatchObject({ ok: false, retryable: true, code: 'ESME_RINVPASWD' });
      expect(result.ok === false && result.error).toMatch(/bind_transceiver refused/);
      await expect(provider.connect()).rejects.toThrow(/ESME_RINVPASWD/);
      expect(smsc.binds.every((b) => !b.ok)).toBe(true);
      expect(smsc.submits).toHaveLength(0);
      expect(warnings).toContain('smpp: bind refused');
    });

    it('reports an unreachable SMSC as retryable', async () => {
      const port = await freePort();
      const provider = SmppProvider.fromUrl(`smpp://a:b@127.0.0.1:${port}`, FAST);
      cleanups.push(() => provider.close());
      expect(await provider.submit(sms('hello'))).toMatchObject({ ok: false, retryable: true, code: 'CONNECT_FAILED' });
    });

    it('close() unbinds and stops reconnecting', async () => {
      const { smsc, provider } = await setup();
      ids(await provider.submit(sms('hello')));
      await provider.close();
      expect(smsc.unbinds).toBe(1);
      expect(await provider.submit(sms('too late'))).toMatchObject({ ok: false, retryable: true, code: 'CLOSED' });
      await expect(provider.connect()).rejects.toThrow(/closed/);
      await provider.close();
      expect(smsc.binds).toHaveLength(1);
    });

    it('close() leaves no handles behind, whatever state the connection is in', async () => {
      // Only a process of its own can show that nothing keeps the event loop alive: it must exit
      // by itself once every provider is closed.
      const here = dirname(fileURLToPath(import.meta.url));
      const script = `
        import { startSmsc } from ${JSON.stringify(join(here, '../support/smsc.ts'))};
        import { SmppProvider } from ${JSON.stringify(join(here, '../../src/providers/sms/smpp-provider.ts'))};
        const msg = { messageId: 'm', from: 'Hellio', to: '+447700900123', text: 'hi', encoding: 'GSM-7' };
        const smsc = await startSmsc({ systemId: 'a', password: 'b' });
        // Bound, with enquire_link running and a submit held unanswered at close.
        const bound = SmppProvider.fromUrl(smsc.url, { enquireLinkMs: 10 });
        await bound.submit(msg);
        smsc.onSubmit = () => ({ hold: true });
        const held = bound.submit(msg);
        while (smsc.submits.length < 2) await new Promise((r) => setTimeout(r, 5));
        // Bind refused, waiting out a long reconnect delay.
        const refused = SmppProvider.fromUrl(smsc.url.replace(':b@', ':x@'), { reconnectBaseMs: 60000 });
        await refused.submit(msg);
        // Never connected at all.
        const idle = SmppProvider.fromUrl(smsc.url);
        await Promise.all([bound.close(), refused.close(), idle.close()]);
        console.log(JSON.stringify(await held));
        await smsc.close();
      `;
      const { stdout } = await execFileP(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: join(here, '../..'),
        timeout: 20_000,
      });
      expect(JSON.parse(stdout)).toMatchObject({ ok: false, retryable: true, code: 'CLOSED' });
    });
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
