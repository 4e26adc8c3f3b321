import { describe, expect, it } from 'vitest';
import { newCode, redact, render } from '../../src/modules/otp/codes.ts';
import { otpKeys } from '../../src/modules/otp/otp-keys.ts';
import { revealMessage } from '../../src/modules/otp/sealed-message.ts';
import { analyzeSms } from '../../src/lib/sms-encoding.ts';
import type { MessageRow } from '../../src/store/repos/messages.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

describe('OTP keys', () => {
  const keys = otpKeys(SECRET);

  it('hashes a code under the secret, bound to its verification, and matches only that code', () => {
    const h = keys.hash('otp_a', '123456');
    expect(h).not.toContain('123456');
    expect(keys.matches(h, 'otp_a', '123456')).toBe(true);
    expect(keys.matches(h, 'otp_a', '123457')).toBe(false);
    expect(keys.matches(h, 'otp_b', '123456')).toBe(false);
    expect(keys.hash('otp_b', '123456')).not.toBe(h);
    expect(otpKeys(`${SECRET}x`).matches(h, 'otp_a', '123456')).toBe(false);
    expect(keys.matches('short', 'otp_a', '123456')).toBe(false);
  });

  it('seals text for one message: opened by the same secret and id only, and tamper-evident', () => {
    const sealed = keys.seal('Your code is 482910', 'msg_1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('482910');
    expect(keys.seal('Your code is 482910', 'msg_1')).not.toBe(sealed); // a fresh IV each time
    expect(keys.open(sealed, 'msg_1')).toBe('Your code is 482910');
    expect(() => keys.open(sealed, 'msg_2')).toThrow();
    expect(() => otpKeys(`${SECRET}x`).open(sealed, 'msg_1')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => keys.open(`v1.${raw.toString('base64url')}`, 'msg_1')).toThrow();
    expect(() => keys.open('v9.abc', 'msg_1')).toThrow(/format/);
  });
});

describe('OTP codes', () => {
  it('are digits of the asked length, leading zeros kept, and spread over the whole range', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const c = newCode(4);
      expect(c).toMatch(/^\d{4}$/);
      seen.add(c[0]!);
    }
    expect(seen.size).toBe(10); // the first digit takes every value, 0 included
    expect(newCode(10)).toMatch(/^\d{10}$/);
  });

  it('render fills every {code}; redact keeps length, encoding and segments', () => {
    const t = 'Code {code}. Again: {code}';
    expect(render(t, '0042')).toBe('Code 0042. Again: 0042');
    expect(redact(t, 4)).toBe('Code ****. Again: ****');
    const long = `${'x'.repeat(150)} {code}`;
    expect(analyzeSms(redact(long, 10))).toEqual(analyzeSms(render(long, '1234567890')));
    const ucs = 'Ваш код {code}';
    expect(analyzeSms(redact(ucs, 6))).toEqual(analyzeSms(render(ucs, '123456')));
  });
});

describe('revealMessage', () => {
  const keys = otpKeys(SECRET);
  const base = { id: 'msg_1', channel: 'sms', body: 'Your code is ******' } as MessageRow;

  it('gives the worker the real text of a sealed message, and leaves other messages alone', () => {
    const m = { ...base, payload: JSON.stringify({ otp_id: 'otp_1', otp_sealed: keys.seal('Your code is 482910', 'msg_1') }) };
    expect(revealMessage(keys, m).body).toBe('Your code is 482910');
    expect(m.body).toBe('Your code is ******');
    const plain = { ...base, payload: null };
    expect(revealMessage(null, plain)).toBe(plain);
  });

  it('puts the real text in an email payload', () => {
    const payload = { from: 'a@example.com', to: ['b@example.org'], text: 'code ****', otp_id: 'otp_1', otp_sealed: keys.seal('code 1234', 'msg_1') };
    const m = revealMessage(keys, { ...base, channel: 'email', payload: JSON.stringify(payload) });
    expect(JSON.parse(m.payload!).text).toBe('code 1234');
  });

  it('refuses to send a sealed message without the key rather than send it redacted', () => {
    const m = { ...base, payload: JSON.stringify({ otp_id: 'otp_1', otp_sealed: keys.seal('Your code is 482910', 'msg_1') }) };
    expect(() => revealMessage(null, m)).toThrow(/sealed OTP/);
  });
});
