/** Campaign — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Campaign (placeholder until its page is built). */
export function CampaignPage() {
  return <PageHeader title="Campaign" intro="This page is not built yet." />;
}
