import type { FastifyInstance } from 'fastify';
import { notFound } from '../../lib/errors.ts';
import { formatMicros } from '../../lib/money.ts';
import { accountDetail, createAccountAs, listAccounts, setAccountStatusAs } from '../../modules/admin/accounts.ts';
import { parseAmount } from '../../modules/admin/amounts.ts';
import { approveSenderAs, approveSenderRequest, listSenderRequests, rejectSenderRequest, revokeSenderAs } from '../../modules/admin/senders.ts';
import { adjustAs, topUpAs } from '../../modules/admin/wallet.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { signedIn } from '../route.ts';
import {
  accountDetailSchema,
  accountListSchema,
  accountsQuery,
  adjustBody,
  createAccountBody,
  rejectBody,
  senderApprovedSchema,
  senderBody,
  senderRequestListSchema,
  senderRequestSchema,
  senderRequestsQuery,
  senderRevokedSchema,
  topUpBody,
  walletSchema,
} from '../schemas/admin.ts';
import { idParams } from '../schemas/common.ts';

const tag = 'admin';
const operator = true;

/** /admin/accounts and /admin/sender-requests: accounts, their status, wallets and senders. */
export function adminAccountRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  signedIn(
    app,
    { method: 'GET', url: '/admin/accounts', operator, tag, summary: 'Every account, newest first; search by name or id, filter by status', schema: { querystring: accountsQuery, response: { 200: accountListSchema } } },
    async (req) => listAccounts(ctx.store, req.query),
  );
  signedIn(
    app,
    { method: 'GET', url: '/admin/accounts/:id', operator, tag, summary: 'One account: wallet, spend caps, limits, member and key counts', schema: { params: idParams('acc'), response: { 200: accountDetailSchema } } },
    async (req) => accountDetail(ctx, req.params.id),
  );
  signedIn(
    app,
    { method: 'POST', url: '/admin/accounts', operator, tag, summary: 'Create an account (audited: account.create)', schema: { body: createAccountBody, response: { 200: accountDetailSchema } } },
    async (req, actor) => {
      const row = await createAccountAs(ctx, actor, req.body.name, req.body.status ?? 'active');
      return accountDetail(ctx, row.id);
    },
  );
  for (const [verb, status] of [['activate', 'active'], ['suspend', 'suspended']] as const) {
    signedIn(
      app,
      {
        method: 'POST',
        url: `/admin/accounts/:id/${verb}`,
        operator,
        tag,
        summary: verb === 'activate' ? 'Activate a pending or suspended account (audited: account.activate)' : 'Suspend an account: its keys answer 403 account_not_active (audited: account.suspend)',
        schema: { params: idParams('acc'), response: { 200: accountDetailSchema } },
      },
      async (req, actor) => {
        await setAccountStatusAs(ctx, actor, req.params.id, status);
        return accountDetail(ctx, req.params.id);
      },
    );
  }

  signedIn(
    app,
    { method: 'POST', url: '/admin/accounts/:id/wallet/topup', operator, tag, summary: 'Top up a wallet (audited: wallet.topup)', schema: { params: idParams('acc'), body: topUpBody, response: { 200: walletSchema } } },
    async (req, actor) => {
      const balance = await topUpAs(ctx, actor, req.params.id, parseAmount('amount', req.body.amount), req.body.note ?? null);
      return { account_id: req.params.id, balance: formatMicros(balance), currency: ctx.currency };
    },
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/admin/accounts/:id/wallet/adjust',
      operator,
      tag,
      summary: 'Correct a wallet by a signed amount, never below zero (audited: wallet.adjust)',
      schema: { params: idParams('acc'), body: adjustBody, response: { 200: walletSchema } },
    },
    async (req, actor) => {
      const balance = await adjustAs(ctx, actor, req.params.id, parseAmount('amount', req.body.amount, { signed: true }), req.body.note);
      return { account_id: req.params.id, balance: formatMicros(balance), currency: ctx.currency };
    },
  );

  signedIn(
    app,
    {
      method: 'POST',
      url: '/admin/accounts/:id/senders',
      operator,
      tag,
      summary: 'Approve a sender for an account directly (audited: sender.approve)',
      schema: { params: idParams('acc'), body: senderBody, response: { 200: senderApprovedSchema } },
    },
    async (req, actor) => approveSenderAs(ctx, actor, req.params.id, req.body.sender),
  );
  signedIn(
    app,
    {
      method: 'DELETE',
      url: '/admin/accounts/:id/senders',
      operator,
      tag,
      summary: 'Withdraw a sender\'s approval (audited: sender.revoke)',
      schema: { params: idParams('acc'), body: senderBody, response: { 200: senderRevokedSchema } },
    },
    async (req, actor) => {
      if (!(await revokeSenderAs(ctx, actor, req.params.id, req.body.sender))) throw notFound('Approved sender');
      return { account_id: req.params.id, sender: req.body.sender, revoked: true };
    },
  );

  signedIn(
    app,
    {
      method: 'GET',
      url: '/admin/sender-requests',
      operator,
      tag,
      summary: 'The sender-approval queue, oldest first (pending by default)',
      schema: { querystring: senderRequestsQuery, response: { 200: senderRequestListSchema } },
    },
    async (req) => {
      const { account_id, ...q } = req.query;
      return listSenderRequests(ctx.store, { ...q, ...(account_id ? { accountId: account_id } : {}) });
    },
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/admin/sender-requests/:id/approve',
      operator,
      tag,
      summary: 'Approve a pending request: the sender is approved for its account (audited: sender_request.approve)',
      schema: { params: idParams('sdr'), response: { 200: senderRequestSchema } },
    },
    async (req, actor) => approveSenderRequest(ctx, actor, req.params.id),
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/admin/sender-requests/:id/reject',
      operator,
      tag,
      summary: 'Reject a pending request with a reason the account sees (audited: sender_request.reject)',
      schema: { params: idParams('sdr'), body: rejectBody, response: { 200: senderRequestSchema } },
    },
    async (req, actor) => rejectSenderRequest(ctx, actor, req.params.id, req.body.reason),
  );
}
