import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { isAccountSid, messageIdOfSid, messageSid, newTwilioAccountSid, rfc2822, twilioSignature } from '../../src/lib/twilio.ts';

describe('Twilio formats (lib/twilio.ts)', () => {
  it('message SIDs are the ids in hex, both ways, and keep their order', () => {
    const ids = Array.from({ length: 500 }, () => newId('msg'));
    const sids = ids.map((id) => messageSid(id)!);
    for (const [i, sid] of sids.entries()) {
      expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(messageIdOfSid(sid)).toBe(ids[i]);
    }
    expect([...sids].sort()).toEqual([...ids].sort().map((id) => messageSid(id)));
  });

  it('refuses what is not a message id or SID', () => {
    for (const bad of ['call_01m94nc32r6kbdw5gerh30zn9f', 'msg_short', 'msg_01M94NC32R6KBDW5GERH30ZN9F', 'msg_01m94nc32r6kbdw5gerh30zn9u']) expect(messageSid(bad)).toBeNull();
    for (const bad of ['SM123', `AC${'0'.repeat(32)}`, `SM${'G'.repeat(32)}`, `SM${'0'.repeat(33)}`]) expect(messageIdOfSid(bad)).toBeNull();
  });

  it('account SIDs are AC + 32 hex, each new', () => {
    const a = newTwilioAccountSid();
    expect(isAccountSid(a)).toBe(true);
    expect(newTwilioAccountSid()).not.toBe(a);
    expect(isAccountSid(`AC${'0'.repeat(31)}`)).toBe(false);
  });

  it('dates are RFC 2822 in UTC, as Twilio writes them', () => {
    expect(rfc2822(Date.UTC(2010, 7, 18, 20, 1, 40))).toBe('Wed, 18 Aug 2010 20:01:40 +0000');
    expect(rfc2822(Date.UTC(2026, 0, 4, 3, 5, 9))).toBe('Sun, 04 Jan 2026 03:05:09 +0000');
  });

  it("signs as Twilio's library expects", () => {
    const params = { To: '+14155552671', MessageStatus: 'delivered', Body: 'é & = ?' };
    const url = 'https://example.com/status?tag=a%20b';
    expect(twilioSignature('token', url, params)).toBe(twilio.getExpectedTwilioSignature('token', url, params));
    expect(twilio.validateRequest('token', twilioSignature('token', url, params), url, params)).toBe(true);
  });
});
