/** Lookups — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Lookups (placeholder until its page is built). */
export function LookupsPage() {
  return <PageHeader title="Lookups" intro="This page is not built yet." />;
}
