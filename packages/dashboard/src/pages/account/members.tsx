/** Members — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Members (placeholder until its page is built). */
export function MembersPage() {
  return <PageHeader title="Members" intro="This page is not built yet." />;
}
