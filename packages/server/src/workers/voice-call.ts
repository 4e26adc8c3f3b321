import { abandonCall, type CallDeps, placeCall } from '../modules/voice/place.ts';
import type { JobHandlers } from '../queue/handlers.ts';

/** The handler of `voice.call`: places the call (modules/voice/place.ts); a given-up job ends it `failed`, refunded. */
export function voiceHandlers(deps: CallDeps): Pick<JobHandlers, 'voice.call'> {
  return {
    'voice.call': {
      handle: (p, run) => placeCall(deps, p.call_id, run),
      giveUp: (p, err) => abandonCall(deps, p.call_id, err.message),
    },
  };
}
