import { newId } from '../../lib/ids.ts';
import { Jobs } from '../../queue/catalogue.ts';
import type { CampaignRow } from '../../store/repos/campaigns.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Principal } from '../access/auth.ts';
import { chargeFor, type ChargePlan } from '../accept/plan.ts';
import { messageEventType } from '../webhooks/events.ts';
import { messageView } from './views.ts';

/**
 * The plan of accepting messages (and their campaign): each message's row, the first entry of its
 * timeline, its delivery job (due at its schedule, or now) and its message.queued/scheduled event;
 * the total charged, once, to the campaign or the single message.
 */
export function messagesPlan(
  principal: Principal,
  accepted: { messages: MessageRow[]; campaign: CampaignRow | null; price: number },
  currency: string,
  at: number,
): ChargePlan {
  const { messages, campaign } = accepted;
  return {
    principal,
    at,
    charge: chargeFor(principal, accepted.price),
    reference: campaign?.id ?? messages[0]!.id,
    rows: {
      ...(campaign ? { campaigns: [campaign] } : {}),
      messages,
      message_events: messages.map((m) => ({ id: newId('ev'), message_id: m.id, status: m.status, detail: null, created_at: at })),
    },
    jobs: messages.map((m) => Jobs.deliverMessage(m)),
    events: messages.map((m) => ({ accountId: m.account_id, type: messageEventType(m.status)!, data: messageView(m, currency), at })),
  };
}
