import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimRecords, generateDkimKey } from '../../src/lib/dkim.ts';

const key = generateDkimKey();

function tags(value: string): Record<string, string> {
  return Object.fromEntries(
    value
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
  );
}

describe('generateDkimKey', () => {
  it('makes an RSA 2048 key pair: PKCS#8 PEM private, base64 SPKI DER public', () => {
    expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n?$/);
    expect(key.publicKeyBase64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const pub = createPublicKey({ key: Buffer.from(key.publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    expect(pub.asymmetricKeyType).toBe('rsa');
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('the public half verifies what the private half signs, and no other key does', () => {
    const data = Buffer.from('dkim-signature:v=1; a=rsa-sha256; d=example.test; s=hellio1; b=');
    const signature = sign('sha256', data, key.privateKeyPem);
    const pub = { key: Buffer.from(key.publicKeyBase64, 'base64'), format: 'der' as const, type: 'spki' as const };
    expect(verify('sha256', data, pub, signature)).toBe(true);
    expect(verify('sha256', Buffer.concat([data, Buffer.from('x')]), pub, signature)).toBe(false);

    const other = generateDkimKey();
    expect(other.publicKeyBase64).not.toBe(key.publicKeyBase64);
    expect(verify('sha256', data, { ...pub, key: Buffer.from(other.publicKeyBase64, 'base64') }, signature)).toBe(false);
  });
});

describe('dkimRecords', () => {
  it('gives the DKIM key record, the SPF record and the return-path CNAME', () => {
    const records = dkimRecords('example.test', 'hellio1', key.publicKeyBase64, {
      spfInclude: 'spf.relay.test',
      returnPathHost: 'bounces.relay.test',
    });
    expect(records).toEqual([
      { type: 'TXT', name: 'hellio1._domainkey.example.test', value: `v=DKIM1; k=rsa; p=${key.publicKeyBase64}`, purpose: 'dkim' },
      { type: 'TXT', name: 'example.test', value: 'v=spf1 include:spf.relay.test ~all', purpose: 'spf' },
      { type: 'CNAME', name: 'bounces.example.test', value: 'bounces.relay.test', purpose: 'return_path' },
    ]);
  });

  it('keeps the long p= in one string value, whole and unquoted', () => {
    const [dkim] = dkimRecords('example.test', 'hellio1', key.publicKeyBase64, {});
    expect(dkim!.value.length).toBeGreaterThan(255);
    expect(dkim!.value).not.toMatch(/["\n\r]/);
    const t = tags(dkim!.value);
    expect(t).toEqual({ v: 'DKIM1', k: 'rsa', p: key.publicKeyBase64 });
    // What a receiver rebuilds from p= is the key that signs.
    const pub = createPublicKey({ key: Buffer.from(t.p!, 'base64'), format: 'der', type: 'spki' });
    expect(pub.export({ format: 'der', type: 'spki' }).toString('base64')).toBe(key.publicKeyBase64);
  });

  it('falls back to the domain’s own hosts for SPF and suggests no return path without a bounce host', () => {
    const records = dkimRecords('Example.TEST.', 'S1', key.publicKeyBase64, {});
    expect(records.map((r) => [r.type, r.name, r.purpose])).toEqual([
      ['TXT', 's1._domainkey.example.test', 'dkim'],
      ['TXT', 'example.test', 'spf'],
    ]);
    expect(records[1]!.value).toBe('v=spf1 a mx ~all');
  });

  it('normalises host names and strips whitespace a pasted key may carry', () => {
    const wrapped = key.publicKeyBase64.replace(/.{64}/g, '$&\n');
    const records = dkimRecords('example.test', 'hellio1', wrapped, { spfInclude: 'SPF.Relay.test.', returnPathHost: 'Bounces.Relay.Test.' });
    expect(tags(records[0]!.value).p).toBe(key.publicKeyBase64);
    expect(records[1]!.value).toBe('v=spf1 include:spf.relay.test ~all');
    expect(records[2]!.value).toBe('bounces.relay.test');
  });
});
