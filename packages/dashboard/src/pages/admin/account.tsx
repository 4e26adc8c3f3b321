/** Account — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Account (placeholder until its page is built). */
export function AdminAccountPage() {
  return <PageHeader title="Account" intro="This page is not built yet." />;
}
