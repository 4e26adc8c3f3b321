import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { isPublicAddress } from '../../src/lib/public-address.ts';
import { newWebhookSecret, signWebhook } from '../../src/lib/webhook-signature.ts';
import { JOB_POLICIES, WEBHOOK_RETRY_SCHEDULE_MS } from '../../src/queue/catalogue.ts';
import { retryDelayMs } from '../../src/queue/job-definition.ts';

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['93.184.216.34', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['10.0.0.1', false],
    ['172.31.255.255', false],
    ['192.168.0.1', false],
    ['100.64.0.1', false],
    ['100.100.100.200', false], // a cloud metadata address inside CGNAT
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.251', false],
    ['192.0.2.10', false], // documentation
    ['198.18.0.1', false], // benchmarking
    ['240.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['fd00:ec2::254', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::7f00:1', false], // NAT64 of 127.0.0.1
    ['2002:7f00:1::', false], // 6to4 of 127.0.0.1
    ['2001:db8::1', false],
    // IPv4-compatible IPv6 (deprecated): in both spellings, whatever it carries.
    ['::127.0.0.1', false],
    ['::7f00:1', false], // what a URL parser makes of http://[::127.0.0.1]/
    ['::10.0.0.1', false],
    ['::8.8.8.8', false],
    ['::ffff:7f00:1', false], // IPv4-mapped, hex spelling
    ['::ffff:10.0.0.1', false],
    ['::ffff:169.254.169.254', false],
    ['::ffff:0:127.0.0.1', false], // SIIT (RFC 6145)
    ['64:ff9b::10.0.0.1', false], // NAT64 of a private address
    ['64:ff9b::a9fe:a9fe', false], // NAT64 of the metadata address
    ['64:ff9b:1::a00:1', false], // local-use NAT64 (RFC 8215)
    ['2002:c0a8:1::1', false], // 6to4 of 192.168.0.1
    ['2002:a00:1::', false], // 6to4 of 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false], // Teredo
    ['2001::1', false], // Teredo prefix
    ['100::1', false], // discard
    ['::', false],
    ['2a00:1450:4001:82b::200e', true],
    ['not an address', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('signWebhook', () => {
  it('makes a signature the standardwebhooks library verifies, one per secret', () => {
    const [s1, s2] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ type: 'message.sent', timestamp: new Date().toISOString(), data: { id: 'msg_x', text: 'é ☃' } });
    const ts = Math.floor(Date.now() / 1000);
    const header = signWebhook([s1, s2], 'ev_1', ts, body);
    expect(header.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': 'ev_1', 'webhook-timestamp': String(ts), 'webhook-signature': header };
    expect(new Webhook(s1).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(s2).verify(body, headers)).toEqual(JSON.parse(body));
    // The library's own signature for the same input is the same string.
    expect(new Webhook(s1).sign('ev_1', new Date(ts * 1000), body)).toBe(header.split(' ')[0]);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(s1).verify(body, { ...headers, 'webhook-id': 'ev_2' })).toThrow();
  });
});

describe('the webhook retry schedule', () => {
  it('waits each step ± 20 %, the last step repeating, and never less than a Retry-After', () => {
    WEBHOOK_RETRY_SCHEDULE_MS.forEach((step, i) => {
      expect(retryDelayMs(JOB_POLICIES['webhook.deliver'], i + 1, undefined, () => 0)).toBe(Math.round(step * 0.8));
      expect(retryDelayMs(JOB_POLICIES['webhook.deliver'], i + 1, undefined, () => 1)).toBe(Math.round(step * 1.2));
    });
    expect(retryDelayMs(JOB_POLICIES['webhook.deliver'], 20, undefined, () => 0.5)).toBe(36_000_000);
    expect(retryDelayMs(JOB_POLICIES['webhook.deliver'], 1, 60_000, () => 0.5)).toBe(60_000);
    expect(WEBHOOK_RETRY_SCHEDULE_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });
});
