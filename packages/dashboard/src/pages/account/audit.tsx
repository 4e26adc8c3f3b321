/** Audit log — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Audit log (placeholder until its page is built). */
export function AuditPage() {
  return <PageHeader title="Audit log" intro="This page is not built yet." />;
}
