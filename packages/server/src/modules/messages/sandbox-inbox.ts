import { rfc3339 } from '../../lib/time.ts';
import type { SandboxInboxRow } from '../../store/repos/delivery.ts';
import type { Store } from '../../store/store.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';

/** What one simulated recipient got. */
export function inboxView(r: SandboxInboxRow) {
  return {
    id: r.id,
    message_id: r.message_id,
    channel: r.channel,
    from: r.sender,
    to: r.recipient,
    subject: r.subject,
    body: r.body,
    created_at: rfc3339(r.created_at),
  };
}

/** A page of what the simulated recipients of the account's messages received, newest first; `to` picks one recipient. */
export async function sandboxInboxOf(store: Store, accountId: string, q: { limit?: number; cursor?: string; to?: string }) {
  checkCursor('inb', q.cursor);
  const size = pageSize(q.limit);
  const rows = await store.delivery.inbox({
    accountId,
    limit: size + 1,
    ...(q.to !== undefined ? { recipient: q.to } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
  });
  return page(rows, size, inboxView);
}
