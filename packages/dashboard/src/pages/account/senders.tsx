/** Senders — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Senders (placeholder until its page is built). */
export function SendersPage() {
  return <PageHeader title="Senders" intro="This page is not built yet." />;
}
