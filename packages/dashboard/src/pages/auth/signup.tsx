/** Sign up — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Sign up (placeholder until its page is built). */
export function SignupPage() {
  return <PageHeader title="Sign up" intro="This page is not built yet." />;
}
