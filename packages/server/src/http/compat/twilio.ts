import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../lib/errors.ts';
import type { Principal } from '../../modules/access/auth.ts';
import type { Scope } from '../../modules/access/scopes.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { getTwilioMessage, listTwilioMessages, planTwilioMessage, type TwilioCreateInput, type TwilioListQuery } from '../../modules/compat/twilio.ts';
import { CREDENTIALS } from '../credentials.ts';
import { HTTP_STATUS } from '../error-status.ts';
import { classify } from '../errors.ts';
import { twilioError } from './twilio-errors.ts';

/** Where the Twilio-compatible API lives: a Twilio client's base URL is this prefix (docs/compat-twilio.md). */
export const TWILIO_PREFIX = '/twilio';
// Under the plugin's prefix (TWILIO_PREFIX).
const ACCOUNT = '/2010-04-01/Accounts/:AccountSid';

type Params = { AccountSid: string; Sid?: string };

/**
 * Twilio's Messages resource: create, list and fetch, form-encoded, HTTP Basic (the account's
 * SID and a key). Registered in a plugin of its own under TWILIO_PREFIX, so that its form parser and
 * its error answers (Twilio's body and codes, unknown URLs included) stay here. Hidden from /openapi.json: it is Twilio's API.
 */
export async function twilioRoutes(app: FastifyInstance, opts: { ctx: ModuleContext }): Promise<void> {
  const { ctx } = opts;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler(async (err: Error, req, reply) => {
    const c = classify(err);
    const status = HTTP_STATUS[c.code];
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (c.headers) reply.headers(c.headers);
    const body = twilioError(c.code, status >= 500 ? `Internal server error (request ${req.id})` : (c.message ?? c.code), c.errors, status);
    return reply.code(body.status).type('application/json; charset=utf-8').send(body);
  });
  // A Twilio resource Hellio does not serve (calls, media…) answers as Twilio answers an unknown URL.
  app.setNotFoundHandler(async (req, reply) => {
    const body = twilioError('route_not_found', `The requested resource ${req.url.split('?')[0]} was not found`, undefined, 404);
    return reply.code(body.status).type('application/json; charset=utf-8').send(body);
  });

  const route = (
    method: 'GET' | 'POST',
    url: string,
    scope: Scope,
    handler: (req: FastifyRequest, principal: Principal, reply: FastifyReply) => Promise<unknown>,
  ) =>
    app.route({
      method,
      url,
      config: { scope, idempotent: false, credentials: 'twilio' },
      schema: { hide: true },
      handler: async (req, reply) => {
        const principal = req.principal;
        if (!principal) throw new Error(`${method} ${url} ran without the pipeline's principal`);
        // The pipeline checked that the Basic user name is the key's account; the path must name it too.
        if ((req.params as Params).AccountSid !== principal.twilioAccountSid) throw notFound('Account');
        return handler(req, principal, reply);
      },
    });

  route('POST', `${ACCOUNT}/Messages.json`, 'sms:send', async (req, principal, reply) => {
    const key = CREDENTIALS.twilio(req).key!;
    const { plan, result } = await planTwilioMessage(ctx, principal, (req.body ?? {}) as TwilioCreateInput, key);
    await ctx.accepts.commit(plan, null);
    return reply.code(201).send(result);
  });
  route('GET', `${ACCOUNT}/Messages.json`, 'reports', async (req, principal) => listTwilioMessages(ctx, principal, req.query as TwilioListQuery));
  route('GET', `${ACCOUNT}/Messages/:Sid.json`, 'reports', async (req, principal) => getTwilioMessage(ctx, principal, (req.params as Params).Sid!));
}
