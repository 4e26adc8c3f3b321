/** Reset your password — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Reset your password (placeholder until its page is built). */
export function ResetPasswordPage() {
  return <PageHeader title="Reset your password" intro="This page is not built yet." />;
}
