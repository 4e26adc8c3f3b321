/** Message — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Message (placeholder until its page is built). */
export function MessagePage() {
  return <PageHeader title="Message" intro="This page is not built yet." />;
}
