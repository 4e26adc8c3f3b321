/** Approvals — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Approvals (placeholder until its page is built). */
export function AdminSendersPage() {
  return <PageHeader title="Approvals" intro="This page is not built yet." />;
}
