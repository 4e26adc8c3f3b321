/** Prices — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Prices (placeholder until its page is built). */
export function AdminPricesPage() {
  return <PageHeader title="Prices" intro="This page is not built yet." />;
}
