import type { FastifyInstance, FastifyReply } from 'fastify';
import { encodeWav } from '../../lib/wav.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { cancelCall } from '../../modules/voice/cancel.ts';
import { listVoices, previewSpeech } from '../../modules/voice/preview.ts';
import { callAudio, getCall, listCalls } from '../../modules/voice/reads.ts';
import { planCall } from '../../modules/voice/send.ts';
import { authenticated, charged } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { callDetailSchema, callSchema, callsQuery, previewBody, voiceSendBody, voicesSchema, wavResponse } from '../schemas/voice.ts';

const common = { scope: 'voice', tag: 'voice' } as const;

function sendWav(reply: FastifyReply, pcm: Int16Array, name: string) {
  return reply.type('audio/wav').header('content-disposition', `inline; filename="${name}.wav"`).send(encodeWav(pcm, 8000));
}

/** POST /voice/send, GET /voice, GET /voice/{id}, POST /voice/{id}/cancel, GET /voice/{id}/audio, GET /voice/voices, POST /voice/preview. */
export function voiceRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  charged(
    app,
    ctx,
    {
      ...common,
      method: 'POST',
      url: '/voice/send',
      summary: 'Call a number and speak a text (text to speech over SIP); holds the minutes of time_limit until the call ends',
      schema: { body: voiceSendBody, response: { 200: callSchema } },
    },
    (req, principal) => planCall(ctx, principal, req.body),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/voice', session: 'messages:read', summary: 'List calls, newest first', schema: { querystring: callsQuery, response: { 200: pageOf(callSchema) } } },
    (req, principal) => listCalls(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/voice/voices', session: 'messages:read', summary: 'The voices and languages installed', schema: { response: { 200: voicesSchema } } },
    () => listVoices(ctx),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/voice/preview',
      session: 'messages:write',
      summary: 'Speak a text to a WAV file, as a call would (no call, no charge)',
      schema: { body: previewBody, response: { 200: wavResponse } },
    },
    async (req, principal, reply) => sendWav(reply, await previewSpeech(ctx, principal.accountId, req.body), 'preview'),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/voice/:id', session: 'messages:read', summary: 'A call and its timeline', schema: { params: idParams('call'), response: { 200: callDetailSchema } } },
    (req, principal) => getCall(ctx, principal.accountId, req.params.id),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/voice/:id/cancel',
      session: 'messages:write',
      summary: 'Cancel a call that is queued or ringing (the hold refunded); 409 once answered',
      schema: { params: idParams('call'), response: { 200: callSchema } },
    },
    (req, principal) => cancelCall(ctx, principal.accountId, req.params.id),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/voice/:id/audio',
      session: 'messages:read',
      summary: 'The exact audio the call sent (WAV); not kept for OTP calls',
      schema: { params: idParams('call'), response: { 200: wavResponse } },
    },
    async (req, principal, reply) => sendWav(reply, await callAudio(ctx, principal.accountId, req.params.id), req.params.id),
  );
}
