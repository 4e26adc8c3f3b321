import type { FastifyInstance } from 'fastify';
import { validationError } from '../../lib/errors.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { cancelMessage } from '../../modules/messages/cancel.ts';
import { planEmailBatch } from '../../modules/messages/email-batch.ts';
import { requestAttachmentFetcher } from '../../modules/messages/attachment-paths.ts';
import { getEmail, listEmails } from '../../modules/messages/email-reads.ts';
import { planEmail } from '../../modules/messages/email.ts';
import { rescheduleMessage } from '../../modules/messages/reschedule.ts';
import { installStrictJsonParser } from '../edge.ts';
import { RESEND_PREFIX } from '../resend-errors.ts';
import { emailInputOf, resendEmail, resendListed, scheduleText } from '../resend-translate.ts';
import { authenticated, charged } from '../route.ts';
import {
  resendBatchBody,
  resendBatchCreated,
  resendBatchHeaders,
  resendCreated,
  resendEmail as resendEmailSchema,
  resendEmailBody,
  resendEmailList,
  resendIdParams,
  resendListQuery,
  resendObjectRef,
  resendUpdateBody,
} from '../schemas/resend.ts';

const common = { tag: 'resend', compatibility: true } as const;

/**
 * Resend's email API under /resend (docs/compat-resend.md): the `resend` client works with
 * `baseUrl` pointed here and a Hellio key. Each route is a translation onto the email module;
 * the SPEC §2 pipeline runs unchanged, and errors leave in Resend's body (http/resend-errors.ts).
 */
export async function resendRoutes(app: FastifyInstance, ctx: ModuleContext, opts: { bodyLimit: number }): Promise<void> {
  await app.register(
    async (r) => {
      // Its own parser in this scope: the client's cancel is a POST that says JSON and sends nothing.
      installStrictJsonParser(r, { emptyIsNoBody: true });

      charged(
        r,
        ctx,
        { ...common, method: 'POST', url: '/emails', scope: 'email:send', summary: 'Send an email (Resend)', bodyLimit: opts.bodyLimit, schema: { body: resendEmailBody, response: { 200: resendCreated } } },
        async (req, principal) => {
          const input = await emailInputOf(req.body, ctx.clock.now(), requestAttachmentFetcher(ctx));
          const { plan, result } = await planEmail(ctx, principal, input);
          return { plan, result: { id: result.id } };
        },
      );

      charged(
        r,
        ctx,
        {
          ...common,
          method: 'POST',
          url: '/emails/batch',
          scope: 'email:send',
          summary: 'Send a batch of emails (Resend)',
          bodyLimit: opts.bodyLimit,
          schema: { body: resendBatchBody, headers: resendBatchHeaders, response: { 200: resendBatchCreated } },
        },
        async (req, principal) => {
          const mode = req.headers['x-batch-validation'] === 'permissive' ? 'permissive' : 'strict';
          const now = ctx.clock.now();
          // Resend's batches take no attachments (the schema refuses them): the fetcher is never asked.
          const fetchPath = requestAttachmentFetcher(ctx);
          const inputs = await Promise.all(req.body.map((e) => emailInputOf(e, now, fetchPath)));
          const { plan, result } = await planEmailBatch(ctx, principal, inputs, mode);
          const data = result.accepted.map((e) => ({ id: e.id }));
          return { plan, result: mode === 'permissive' ? { data, errors: result.refused } : { data } };
        },
      );

      authenticated(
        r,
        { ...common, method: 'GET', url: '/emails', scope: 'reports', summary: 'List emails (Resend)', schema: { querystring: resendListQuery, response: { 200: resendEmailList } } },
        async (req, principal) => {
          if (req.query.before !== undefined) {
            throw validationError([{ field: 'before', message: 'is not supported here; page forward with after' }]);
          }
          const p = await listEmails(ctx, principal.accountId, { ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}), ...(req.query.after !== undefined ? { after: req.query.after } : {}) });
          return { object: 'list', has_more: p.next_cursor !== null, data: p.data.map(resendListed) };
        },
      );

      authenticated(
        r,
        { ...common, method: 'GET', url: '/emails/:id', scope: 'reports', summary: 'Retrieve an email (Resend)', schema: { params: resendIdParams, response: { 200: resendEmailSchema } } },
        async (req, principal) => resendEmail(await getEmail(ctx, principal.accountId, req.params.id)),
      );

      authenticated(
        r,
        { ...common, method: 'PATCH', url: '/emails/:id', scope: 'email:send', summary: 'Reschedule an email (Resend)', schema: { params: resendIdParams, body: resendUpdateBody, response: { 200: resendObjectRef } } },
        async (req, principal) => {
          // An SMS's id is not an email here, exactly like a missing one.
          await getEmail(ctx, principal.accountId, req.params.id);
          const moved = await rescheduleMessage(ctx, principal, req.params.id, scheduleText(req.body.scheduled_at, ctx.clock.now()));
          return { object: 'email', id: moved.id };
        },
      );

      authenticated(
        r,
        { ...common, method: 'POST', url: '/emails/:id/cancel', scope: 'email:send', summary: 'Cancel a scheduled email (Resend)', schema: { params: resendIdParams, response: { 200: resendObjectRef } } },
        async (req, principal) => {
          await getEmail(ctx, principal.accountId, req.params.id);
          const canceled = await cancelMessage(ctx, principal, req.params.id);
          return { object: 'email', id: canceled.id };
        },
      );
    },
    { prefix: RESEND_PREFIX },
  );
}
