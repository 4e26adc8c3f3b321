/** Webhook — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Webhook (placeholder until its page is built). */
export function WebhookPage() {
  return <PageHeader title="Webhook" intro="This page is not built yet." />;
}
