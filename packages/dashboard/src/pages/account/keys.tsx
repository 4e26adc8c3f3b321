/** API Keys — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** API Keys (placeholder until its page is built). */
export function KeysPage() {
  return <PageHeader title="API Keys" intro="This page is not built yet." />;
}
