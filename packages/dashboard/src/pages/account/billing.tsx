/** Billing — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Billing (placeholder until its page is built). */
export function BillingPage() {
  return <PageHeader title="Billing" intro="This page is not built yet." />;
}
