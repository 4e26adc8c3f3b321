/** Overview — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Overview (placeholder until its page is built). */
export function OverviewPage() {
  return <PageHeader title="Overview" intro="This page is not built yet." />;
}
