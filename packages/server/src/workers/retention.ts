import type { Clock } from '../lib/clock.ts';
import { purge } from '../modules/retention/purge.ts';
import type { RetentionSettings } from '../modules/retention/settings.ts';
import type { JobHandlers } from '../queue/handlers.ts';
import { recurring } from '../queue/recurring.ts';
import type { Store } from '../store/store.ts';

/** A run that stopped at its time budget with work left comes back after this pause, not the full interval. */
const CARRY_ON_MS = 5_000;

/** The recurring purge (docs/retention.md): deletes and redacts what outlived its period, then schedules its next run. */
export function retentionHandlers(
  deps: { store: Store; clock: Clock; log?: (msg: string, extra: object) => void },
  settings: RetentionSettings,
): Pick<JobHandlers, 'retention.purge'> {
  return {
    'retention.purge': recurring('retention.purge', deps, async () => {
      const report = await purge(deps, settings);
      if (report.redacted > 0 || Object.keys(report.deleted).length > 0) deps.log?.('retention purge', report);
      return report.more ? { nextInMs: CARRY_ON_MS } : undefined;
    }),
  };
}
