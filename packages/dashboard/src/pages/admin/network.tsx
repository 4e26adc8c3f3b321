/** Routes and providers — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Routes and providers (placeholder until its page is built). */
export function AdminNetworkPage() {
  return <PageHeader title="Routes and providers" intro="This page is not built yet." />;
}
