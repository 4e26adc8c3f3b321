import { type JobKind, type JobPayloads, JOB_POLICIES, PAYLOAD_FIELDS } from './catalogue.ts';
import { type JobContext, type JobDefinition, PermanentFailure } from './job-definition.ts';

/** What runs one kind of job: its handler receives the kind's payload, typed and checked. */
export interface JobHandler<K extends JobKind> {
  handle(payload: JobPayloads[K], run: JobContext): Promise<void>;
  /** Called once when the job is given up on (attempts exhausted or a permanent failure). */
  giveUp?(payload: JobPayloads[K], error: Error): Promise<void>;
  /** Instead of the catalogue's time limit (the webhook job follows HELLIO_WEBHOOK_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** A handler for every kind of the catalogue: leaving one out does not compile. */
export type JobHandlers = { [K in JobKind]: JobHandler<K> };

/** A stored payload that does not fit its kind: it names nothing to run, or to give up on. */
class MalformedPayload extends PermanentFailure {
  override name = 'MalformedPayload';
}

/** Reads a stored payload as its kind's: every field the catalogue lists must be a string. */
function decode<K extends JobKind>(kind: K, raw: unknown): JobPayloads[K] {
  const fields = PAYLOAD_FIELDS[kind] as readonly string[];
  if (typeof raw !== 'object' || raw === null || fields.some((f) => typeof (raw as Record<string, unknown>)[f] !== 'string')) {
    throw new MalformedPayload(`malformed payload: a ${kind} job's payload must hold ${fields.join(', ')}`);
  }
  return raw as JobPayloads[K];
}

function definition<K extends JobKind>(kind: K, h: JobHandler<K>): JobDefinition {
  const policy = JOB_POLICIES[kind];
  return {
    kind,
    ...policy,
    ...(h.timeoutMs !== undefined ? { timeoutMs: h.timeoutMs } : {}),
    handle: (payload, run) => h.handle(decode(kind, payload), run),
    ...(h.giveUp
      ? {
          giveUp: async (payload: unknown, err: Error) => {
            if (!(err instanceof MalformedPayload)) await h.giveUp!(decode(kind, payload), err);
          },
        }
      : {}),
  };
}

/**
 * The worker's definitions for these kinds, bound to their handlers. The runtime passes every
 * kind (typed `JobHandlers`); a test may run a few.
 */
export function catalogueDefinitions<K extends JobKind>(handlers: { readonly [P in K]: JobHandler<P> }): JobDefinition[] {
  return (Object.keys(handlers) as K[]).map((kind) => definition(kind, handlers[kind] as JobHandler<K>));
}
