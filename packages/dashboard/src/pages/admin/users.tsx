/** Users — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Users (placeholder until its page is built). */
export function AdminUsersPage() {
  return <PageHeader title="Users" intro="This page is not built yet." />;
}
