import { parseMailbox } from '../../lib/email-address.ts';
import { newId } from '../../lib/ids.ts';
import { newAccountRow } from '../access/accounts.ts';
import type { Principal } from '../access/auth.ts';
import type { Store } from '../../store/store.ts';
import type { ModuleContext } from '../context.ts';
import { planEmail } from '../messages/email.ts';
import { approveSender, emailSenderApproved } from '../messages/senders.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import { SEALED_FIELD } from '../otp/sealed-message.ts';
import type { PlatformEmail, PlatformMail } from './deps.ts';

// The name under which server_secrets keeps the id of the account the platform's mail is sent from.
const PLATFORM_ACCOUNT = 'platform_mail_account';

/**
 * Whether `accountId` is the platform's mail account. Nobody reaches it through the dashboard's API,
 * operators included: its messages and (with the simulator) its sandbox inbox hold people's reset
 * and invitation links.
 */
export async function isPlatformAccount(store: Store, accountId: string): Promise<boolean> {
  return (await store.secrets.get(PLATFORM_ACCOUNT)) === accountId;
}

/**
 * The platform's own mail (invitations, password resets, sign-up verification) goes through
 * Hellio's email channel like a customer's: queued, delivered by the workers over SMTP — or to the
 * simulator, where `hellio sandbox inbox` shows it. It is sent from an account of its own, which
 * pays nothing, so it appears in the operator's message log and never in a customer's.
 */
export class PlatformMailer implements PlatformMail {
  private accountId: Promise<string> | null = null;

  constructor(
    /** The module context (built after the mailer, which it contains). */
    private readonly ctx: () => ModuleContext,
    private readonly from: string,
  ) {}

  private async account(ctx: ModuleContext): Promise<string> {
    const now = ctx.clock.now();
    const id = await ctx.store.secrets.getOrCreate(PLATFORM_ACCOUNT, newId('acc'), now);
    if (!(await ctx.store.accounts.get(id))) {
      await ctx.store.accounts
        .insert(newAccountRow(id, 'Hellio platform mail', 'active', now))
        // Another process created it first: theirs is the same id.
        .catch(async (err: unknown) => {
          if (!(await ctx.store.accounts.get(id))) throw err;
        });
    }
    const from = parseMailbox(this.from)!;
    if (!(await emailSenderApproved(ctx.store, id, from.address, from.domain))) {
      await approveSender(ctx, id, from.address);
      // The read cache kept the account's senders from before the approval (public routes do not
      // refresh it per request, as the key pipeline does): drop them, or the first mail is refused.
      await ctx.store.cache.refresh();
    }
    return id;
  }

  async send(email: PlatformEmail): Promise<void> {
    // Only the text part is sealed (below): an html part would keep its links' tokens at rest.
    if (email.html !== undefined && maskLinkTokens(email.html) !== email.html) throw new Error('a platform email with a token link must be text only');
    const ctx = this.ctx();
    this.accountId ??= this.account(ctx).catch((err: unknown) => {
      this.accountId = null;
      throw err;
    });
    const accountId = await this.accountId;
    const principal: Principal = {
      keyId: 'platform',
      accountId,
      test: false,
      scopes: new Set(['email:send']),
      rateLimitPerMinute: null,
      caps: { accountDaily: null, accountMonthly: null, keyDaily: null, keyMonthly: null },
      balanceLowMicros: null,
    };
    const { plan } = await planEmail(ctx, principal, {
      from: this.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      ...(email.html !== undefined ? { html: email.html } : {}),
    });
    // Free: the platform does not charge itself (nor refund itself when a message fails). Stored
    // with the tokens of its links masked and the real text sealed, as OTP messages are: the
    // message log keeps no usable link, and only the delivery worker opens the text.
    const messages = (plan.rows.messages ?? []).map((m) => sealLinks(ctx, { ...m, price_micros: 0 }));
    await ctx.accepts.commit({ ...plan, charge: 0, rows: { ...plan.rows, messages } }, null);
  }
}

/** A link's token as the stored copy of a platform email shows it. */
export const MASKED_TOKEN = '[sealed]';

/** The text with the token of every link (`?token=…`) masked. */
export function maskLinkTokens(text: string): string {
  return text.replace(/([?&]token=)[^\s&#]+/g, `$1${MASKED_TOKEN}`);
}

/** The message row as stored: masked text, the real one sealed for the delivery worker (workers/deliver.ts). */
function sealLinks(ctx: ModuleContext, m: MessageRow): MessageRow {
  const payload = m.payload === null ? {} : (JSON.parse(m.payload) as Record<string, unknown>);
  const text = typeof payload.text === 'string' ? payload.text : (m.body ?? '');
  const masked = maskLinkTokens(text);
  if (masked === text) return m;
  return { ...m, body: masked, payload: JSON.stringify({ ...payload, text: masked, [SEALED_FIELD]: ctx.otp.keys.seal(text, m.id) }) };
}
