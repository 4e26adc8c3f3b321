import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { type DnsTestServer, startDnsServer } from '../support/dns-server.ts';
import { expectError } from '../support/http-assert.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The SSRF guard, with names resolved through a real DNS server of the test's (HELLIO_DNS_SERVERS):
 * endpoints on loopback, private, link-local, CGNAT, multicast or metadata addresses are refused
 * at creation, and again at each delivery against the address actually connected to.
 */
describe.each(BACKENDS)('webhook SSRF guard on %s', (backend) => {
  let h: Harness;
  let dns: DnsTestServer;
  let receiver: WebhookReceiver;
  let a: TestAccount;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    dns = await startDnsServer([
      { type: 'A', name: 'loop.example.test', value: '127.0.0.1' },
      { type: 'A', name: 'metadata.example.test', value: '169.254.169.254' },
      { type: 'A', name: 'office.example.test', value: '10.1.2.3' },
      { type: 'A', name: 'carrier.example.test', value: '100.64.0.7' },
      { type: 'A', name: 'multicast.example.test', value: '239.1.2.3' },
      // One bad address among good ones is enough to refuse: the connection could go to any.
      { type: 'A', name: 'mixed.example.test', value: '93.184.216.34' },
      { type: 'A', name: 'mixed.example.test', value: '127.0.0.1' },
      { type: 'A', name: 'public.example.test', value: '93.184.216.34' },
      { type: 'A', name: 'rebind.example.test', value: '93.184.216.34' },
      { type: 'A', name: 'rebind6.example.test', value: '93.184.216.34' },
    ]);
    h = await createHarness(backend, { env: { HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`, HELLIO_WEBHOOK_TIMEOUT_MS: '1000' } });
    a = await h.account();
  });
  afterAll(async () => {
    await h?.close();
    await dns?.close();
    await receiver?.close();
  });

  const create = (url: string) => h.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(a.key), payload: { url, events: ['*'] } });

  it('refuses literal addresses that are not public', async () => {
    const refused: Array<[string, string]> = [
      ['http://127.0.0.1:8080/hook', '127.0.0.1'],
      ['http://[::1]/hook', '::1'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://10.0.0.1/hook', '10.0.0.1'],
      ['http://172.16.5.4/hook', '172.16.5.4'],
      ['https://192.168.1.1/hook', '192.168.1.1'],
      ['http://100.64.0.1/hook', '100.64.0.1'],
      ['http://0.0.0.0/hook', '0.0.0.0'],
      ['http://224.0.0.1/hook', '224.0.0.1'],
      ['http://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1'],
      ['http://[fd00:ec2::254]/hook', 'fd00:ec2::254'],
      ['http://[fe80::1]/hook', 'fe80::1'],
      // inet_aton spellings of 127.0.0.1: the URL parser makes them the dotted quad.
      ['http://2130706433/hook', '127.0.0.1'],
      ['http://0x7f.1/hook', '127.0.0.1'],
      // IPv6 spellings that carry an IPv4 address (the URL parser rewrites the dotted tail to hex).
      ['http://[::127.0.0.1]/hook', '::7f00:1'],
      ['http://[::7f00:1]/hook', '::7f00:1'],
      ['http://[::ffff:10.0.0.1]/hook', '::ffff:a00:1'],
      ['http://[64:ff9b::10.0.0.1]/hook', '64:ff9b::a00:1'],
      ['http://[64:ff9b::169.254.169.254]/hook', '64:ff9b::a9fe:a9fe'],
      ['http://[2002:c0a8:101::1]/hook', '2002:c0a8:101::1'],
      ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ];
    for (const [url, address] of refused) {
      const body = expectError(await create(url), 422, 'validation_failed');
      expect(body.errors, url).toEqual([{ field: 'url', message: expect.stringContaining(`${address}, which is not a public address`) }]);
    }
  });

  it('refuses host names that resolve to such addresses, or do not resolve', async () => {
    for (const [host, address] of [
      ['loop.example.test', '127.0.0.1'],
      ['metadata.example.test', '169.254.169.254'],
      ['office.example.test', '10.1.2.3'],
      ['carrier.example.test', '100.64.0.7'],
      ['multicast.example.test', '239.1.2.3'],
      ['mixed.example.test', '127.0.0.1'],
    ]) {
      const body = expectError(await create(`http://${host}/hook`), 422, 'validation_failed');
      expect(body.errors![0]!.message, host).toBe(`${host} resolves to ${address}, which is not a public address`);
    }
    const missing = expectError(await create('http://nowhere.example.test/hook'), 422, 'validation_failed');
    expect(missing.errors![0]!.message).toMatch(/^nowhere\.example\.test does not resolve/);
    // Not even a changed URL gets through afterwards.
    const ok = await create('https://public.example.test/hook');
    expect(ok.statusCode, ok.body).toBe(200);
    const patched = await h.app.inject({ method: 'PATCH', url: `/webhooks/${ok.json().id}`, headers: bearer(a.key), payload: { url: 'http://loop.example.test/hook' } });
    expectError(patched, 422, 'validation_failed');
  });

  it('checks again at delivery: a name rebound to 127.0.0.1 after creation reaches nothing', async () => {
    const res = await create(`http://rebind.example.test:${receiver.port}/hook`);
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().id;
    dns.replace('rebind.example.test', 'A', '127.0.0.1');
    const tested = await h.app.inject({ method: 'POST', url: `/webhooks/${id}/test`, headers: bearer(a.key) });
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.json()).toMatchObject({
      status: 'failed',
      attempts: [{ status_code: null, error: 'blocked: rebind.example.test resolves to 127.0.0.1, which is not a public address', response_excerpt: null }],
    });
    // A real event to it: blocked, logged, and retried later (the name may be fixed), never sent.
    await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to: '+14155550100', message: 'x' } });
    const worker = h.rt.createWorker({ pollMs: 10 });
    await worker.drain();
    const log = (await h.app.inject({ method: 'GET', url: `/webhooks/${id}/deliveries`, headers: bearer(a.key) })).json().data;
    const queued = log.find((d: { event_type: string }) => d.event_type === 'message.queued');
    expect(queued).toMatchObject({ status: 'pending', attempts: [{ status_code: null, error: expect.stringMatching(/^blocked: /) }] });
    expect(receiver.received).toEqual([]);
  });

  it('checks again at delivery: a name that gains an IPv4-compatible or NAT64 AAAA record reaches nothing', async () => {
    const res = await create(`http://rebind6.example.test:${receiver.port}/hook`);
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().id;
    for (const v6 of ['::7f00:1', '64:ff9b::7f00:1', '2002:7f00:1::1']) {
      dns.replace('rebind6.example.test', 'AAAA', v6);
      const tested = await h.app.inject({ method: 'POST', url: `/webhooks/${id}/test`, headers: bearer(a.key) });
      expect(tested.json(), v6).toMatchObject({
        status: 'failed',
        // The resolver may spell the address with a dotted tail (::127.0.0.1).
        attempts: [{ status_code: null, error: expect.stringMatching(/^blocked: rebind6\.example\.test resolves to [0-9a-f:.]+, which is not a public address$/) }],
      });
    }
    expect(receiver.received).toEqual([]);
  });

  it('lets private targets through only with HELLIO_WEBHOOKS_ALLOW_PRIVATE=true', async () => {
    const open = await createHarness(backend, { database: h.database, env: { HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`, HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    try {
      dns.replace('loop.example.test', 'A', '127.0.0.1');
      const res = await open.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(a.key), payload: { url: `http://loop.example.test:${receiver.port}/allowed`, events: ['*'] } });
      expect(res.statusCode, res.body).toBe(200);
      const tested = await open.app.inject({ method: 'POST', url: `/webhooks/${res.json().id}/test`, headers: bearer(a.key) });
      expect(tested.json()).toMatchObject({ status: 'succeeded', last_status_code: 200 });
      expect(receiver.at('/allowed')).toHaveLength(1);
      // The scheme rule holds even then.
      expectError(await open.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(a.key), payload: { url: 'file:///etc/passwd', events: ['*'] } }), 422, 'validation_failed');
    } finally {
      await open.close();
    }
  });
});
