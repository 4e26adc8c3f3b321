/** Sandbox — not built yet. */
import { PageHeader } from '../../ui/layout.tsx';

/** Sandbox (placeholder until its page is built). */
export function SandboxPage() {
  return <PageHeader title="Sandbox" intro="This page is not built yet." />;
}
