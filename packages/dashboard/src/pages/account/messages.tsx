/** Messages — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Messages (placeholder until its page is built). */
export function MessagesPage() {
  return <PageHeader title="Messages" intro="This page is not built yet." />;
}
