import { abandonStatusCallback, type CallbackDeps, deliverStatusCallback } from '../modules/compat/status-callbacks.ts';
import type { JobHandlers } from '../queue/handlers.ts';

/** The handler of a compatibility API's status callback (Twilio's StatusCallback, Kannel's dlr-url): a failed request is retried by the queue. */
export function compatCallbackHandlers(deps: CallbackDeps): Pick<JobHandlers, 'compat.status_callback'> {
  return {
    'compat.status_callback': {
      async handle({ message_id, status }) {
        await deliverStatusCallback(deps, message_id, status);
      },
      async giveUp({ message_id, status }) {
        await abandonStatusCallback(deps, message_id, status);
      },
    },
  };
}
