/** Settings — not built yet. */
import { PageHeader } from '../ui/layout.tsx';

/** Settings (placeholder until its page is built). */
export function SettingsPage() {
  return <PageHeader title="Settings" intro="This page is not built yet." />;
}
