/** Usage — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Usage (placeholder until its page is built). */
export function UsagePage() {
  return <PageHeader title="Usage" intro="This page is not built yet." />;
}
