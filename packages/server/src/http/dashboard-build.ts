import type { Logger } from 'pino';
import type { DashboardBuild } from './dashboard.ts';

/**
 * Finds the dashboard's build (the @hellio/dashboard workspace). With `rebuild` — `hellio start` —
 * it is built first when missing or older than its sources, so that a fresh clone needs nothing
 * but `npm install` and `npm start`; `hellio api` serves what is there.
 */
export async function locateDashboard(logger: Logger, opts: { rebuild: boolean }): Promise<DashboardBuild> {
  let builder: typeof import('@hellio/dashboard/builder.mjs');
  try {
    builder = await import('@hellio/dashboard/builder.mjs');
  } catch {
    return { missing: 'the @hellio/dashboard package is not installed' };
  }
  const stale = builder.staleReason();
  if (stale !== null && opts.rebuild) {
    const started = Date.now();
    logger.info({ reason: stale }, 'building the dashboard');
    try {
      await builder.build();
      logger.info({ ms: Date.now() - started }, 'dashboard built');
    } catch (err) {
      logger.error({ err }, 'the dashboard could not be built; /dashboard/ answers 503 until it is');
      return { missing: 'its build failed: see the log' };
    }
  } else if (stale !== null) {
    logger.warn({ reason: stale }, 'the dashboard build is out of date; `hellio start` or `npm run build -w @hellio/dashboard` makes it again');
  }
  return { dir: builder.distDir };
}
