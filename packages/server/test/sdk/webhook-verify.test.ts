import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/lib/webhook-signature.ts';
import { Hellio, WebhookVerificationError } from '../../../sdk/src/index.ts';

// Hellio.webhooks.verify against signatures made by an independent implementation of Standard
// Webhooks (the `standardwebhooks` package) and by the server's own signer.

const secret = () => 'whsec_' + randomBytes(32).toString('base64');
const body = JSON.stringify({ type: 'message.delivered', timestamp: '2026-01-31T09:00:00.000Z', data: { id: 'msg_1', status: 'delivered' } });

/** The headers of a delivery signed by the standardwebhooks library, `ageSeconds` ago. */
function signed(s: string, payload = body, ageSeconds = 0): Record<string, string> {
  const at = new Date(Date.now() - ageSeconds * 1000);
  return {
    'webhook-id': 'ev_01',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(s).sign('ev_01', at, payload),
  };
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookVerificationError);
    return (e as Error).message;
  }
  throw new Error('verify accepted what it should refuse');
};

describe('Hellio.webhooks.verify', () => {
  it('answers the event of a delivery signed by a Standard Webhooks library', () => {
    const s = secret();
    expect(Hellio.webhooks.verify(body, signed(s), s)).toEqual(JSON.parse(body));
  });

  it('takes a Headers instance, header names in any case, and a Buffer body', () => {
    const s = secret();
    const h = signed(s);
    expect(Hellio.webhooks.verify(body, new Headers(h), s).type).toBe('message.delivered');
    const shouted = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    expect(Hellio.webhooks.verify(Buffer.from(body), shouted, s).type).toBe('message.delivered');
  });

  it('accepts the server signer’s double signature of a rotation with either secret', () => {
    const [old, fresh] = [secret(), secret()];
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'ev_2', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook([fresh, old], 'ev_2', ts, body) };
    expect(Hellio.webhooks.verify(body, headers, old).data).toEqual({ id: 'msg_1', status: 'delivered' });
    expect(Hellio.webhooks.verify(body, headers, fresh).data).toEqual({ id: 'msg_1', status: 'delivered' });
    expect(refusal(() => Hellio.webhooks.verify(body, headers, secret()))).toMatch(/No webhook signature matches/);
  });

  it('refuses a body changed by one character', () => {
    const s = secret();
    expect(refusal(() => Hellio.webhooks.verify(body.replace('delivered', 'delivereD'), signed(s), s))).toMatch(/No webhook signature/);
  });

  it('refuses another secret, another id, and a signature of another version', () => {
    const s = secret();
    const h = signed(s);
    expect(refusal(() => Hellio.webhooks.verify(body, h, secret()))).toMatch(/No webhook signature/);
    expect(refusal(() => Hellio.webhooks.verify(body, { ...h, 'webhook-id': 'ev_02' }, s))).toMatch(/No webhook signature/);
    const v2 = { ...h, 'webhook-signature': h['webhook-signature']!.replace('v1,', 'v2,') };
    expect(refusal(() => Hellio.webhooks.verify(body, v2, s))).toMatch(/No webhook signature/);
    expect(refusal(() => Hellio.webhooks.verify(body, { ...h, 'webhook-signature': 'v1,' }, s))).toMatch(/No webhook signature/);
  });

  it('refuses a timestamp more than 5 minutes away, either way', () => {
    const s = secret();
    expect(Hellio.webhooks.verify(body, signed(s, body, 290), s).type).toBe('message.delivered');
    expect(refusal(() => Hellio.webhooks.verify(body, signed(s, body, 310), s))).toMatch(/too old/);
    expect(refusal(() => Hellio.webhooks.verify(body, signed(s, body, -310), s))).toMatch(/too old or too far in the future/);
    // A stored delivery checks out against the time it came.
    const old = signed(s, body, 3600);
    expect(Hellio.webhooks.verify(body, old, s, { now: Date.now() - 3600_000 }).type).toBe('message.delivered');
  });

  it('refuses missing headers and a timestamp that is not a number', () => {
    const s = secret();
    const h = signed(s);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const rest = { ...h };
      delete rest[name];
      expect(refusal(() => Hellio.webhooks.verify(body, rest, s))).toMatch(/Missing/);
    }
    expect(refusal(() => Hellio.webhooks.verify(body, { ...h, 'webhook-timestamp': '1e9' }, s))).toMatch(/not a Unix time/);
  });
});
