/** Accept the invitation — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Accept the invitation (placeholder until its page is built). */
export function AcceptInvitationPage() {
  return <PageHeader title="Accept the invitation" intro="This page is not built yet." />;
}
