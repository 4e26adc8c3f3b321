/** Accounts — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Accounts (placeholder until its page is built). */
export function AdminAccountsPage() {
  return <PageHeader title="Accounts" intro="This page is not built yet." />;
}
