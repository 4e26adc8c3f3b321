/** Webhooks — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Webhooks (placeholder until its page is built). */
export function WebhooksPage() {
  return <PageHeader title="Webhooks" intro="This page is not built yet." />;
}
