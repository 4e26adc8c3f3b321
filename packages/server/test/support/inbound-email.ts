import { newId } from '../../src/lib/ids.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Stores an email received for the account, with one attachment (`a.txt`, "abc"), as the inbound
 * SMTP server stores one: the route suites' fixture (test/inbound/ receives real ones over SMTP).
 */
export async function storeInboundEmail(store: Store, accountId: string): Promise<string> {
  const id = newId('inm');
  await store.inboundEmails.insert(
    {
      id,
      account_id: accountId,
      mail_from: 'someone@sender.test',
      rcpt_to: '["support@a.test"]',
      from_address: 'someone@sender.test',
      to_addresses: '["support@a.test"]',
      subject: 'fixture',
      message_id_header: null,
      in_reply_to: null,
      text_body: 'hello',
      html_body: null,
      size: 100,
      spf: 'none',
      dkim: 'none',
      dmarc: 'none',
      remote_address: '127.0.0.1',
      body_redacted_at: null,
      created_at: Date.now(),
    },
    [{ email_id: id, n: 1, filename: 'a.txt', content_type: 'text/plain', size: 3, content: Buffer.from('abc').toString('base64') }],
  );
  return id;
}
