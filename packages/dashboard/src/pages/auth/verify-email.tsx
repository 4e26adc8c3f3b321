/** Verify your email — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Verify your email (placeholder until its page is built). */
export function VerifyEmailPage() {
  return <PageHeader title="Verify your email" intro="This page is not built yet." />;
}
