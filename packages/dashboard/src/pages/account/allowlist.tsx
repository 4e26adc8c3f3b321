/** IP Allowlist — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** IP Allowlist (placeholder until its page is built). */
export function AllowlistPage() {
  return <PageHeader title="IP Allowlist" intro="This page is not built yet." />;
}
