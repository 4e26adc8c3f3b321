import { newId } from '../../lib/ids.ts';
import { Jobs } from '../../queue/catalogue.ts';
import type { CampaignRow } from '../../store/repos/campaigns.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Principal } from '../access/auth.ts';
import { chargeFor, type ChargePlan } from '../accept/plan.ts';
import { messageEventType } from '../webhooks/events.ts';
import { campaignView, FINAL_STATUSES, MESSAGE_STATUSES, messageView } from './views.ts';

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
    // A suppressed recipient is neither delivered nor announced (its status is final at birth).
    jobs: messages.filter((m) => m.status !== 'suppressed').map((m) => Jobs.deliverMessage(m)),
    events: [
      ...messages.flatMap((m) => {
        const type = messageEventType(m.status);
        return type ? [{ accountId: m.account_id, type, data: messageView(m, currency), at }] : [];
      }),
      ...(campaign && campaign.final_count >= campaign.total_count ? [completedAtBirth(campaign, messages, currency, at)] : []),
    ],
  };
}

/** campaign.completed for a campaign whose every recipient was suppressed: nothing will ever finish it later. */
function completedAtBirth(campaign: CampaignRow, messages: readonly MessageRow[], currency: string, at: number) {
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, messages.filter((m) => m.status === s && FINAL_STATUSES.has(s)).length]));
  return { accountId: campaign.account_id, type: 'campaign.completed' as const, data: { ...campaignView(campaign, currency), status_counts: counts }, at };
}
