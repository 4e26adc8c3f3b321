import type { Kysely } from '../kysely.ts';

/**
 * Due jobs indexed by kind first: `jobs_kind_due` (kind, status, run_at) in place of `jobs_due`.
 *
 * Jobs are claimed per kind: a kind with a cap of its own (email), and grouped kinds
 * (webhooks), look for due jobs of that kind alone. Through (status, run_at) such a claim
 * walked every due job of the other kinds first (~1 ms per claim with 20,000 SMS queued;
 * docs/performance.md). (kind, status, run_at) serves each kind's claim in run_at order, and
 * the others as well; it replaces jobs_due rather than joining it, so each job's status
 * change still updates one such index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_kind_due').on('jobs').columns(['kind', 'status', 'run_at']).execute();
  await db.schema.dropIndex('jobs_due').execute();
}
