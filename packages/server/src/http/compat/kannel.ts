import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, validationError } from '../../lib/errors.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { type KannelSendInput, planKannelSms } from '../../modules/compat/kannel.ts';
import { HTTP_STATUS } from '../error-status.ts';
import { classify } from '../errors.ts';
import { kannelAnswer } from './kannel-errors.ts';

/** Kannel's sendsms URL: a Kannel client's base URL is the server's (docs/compat-kannel.md). */
export const KANNEL_SENDSMS = '/cgi-bin/sendsms';

// What Kannel's smsbox sends with every answer.
const REPLY_HEADERS = { 'content-type': 'text/html', pragma: 'no-cache', 'cache-control': 'no-cache' };

/** The X-Kannel-* header of each sendsms parameter given as text (POST); X-Kannel-UDH is hex, read apart. */
const HEADERS: Array<[Exclude<keyof KannelSendInput, 'text' | 'udh' | 'octetStream'>, string]> = [
  ['from', 'x-kannel-from'],
  ['to', 'x-kannel-to'],
  ['coding', 'x-kannel-coding'],
  ['validity', 'x-kannel-validity'],
  ['deferred', 'x-kannel-deferred'],
  ['dlr-mask', 'x-kannel-dlr-mask'],
  ['dlr-url', 'x-kannel-dlr-url'],
];

/** Percent-decoding to bytes ("+" is a space): sendsms's text is bytes in its charset, not necessarily UTF-8. */
function cgiBytes(value: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '+') out.push(0x20);
    else if (ch === '%' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      out.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(out);
}

/** The CGI variables of a query string, each as bytes; the first of a repeated name counts. */
function cgiVariables(query: string): Map<string, Buffer> {
  const vars = new Map<string, Buffer>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = cgiBytes(eq < 0 ? pair : pair.slice(0, eq)).toString('utf8');
    if (!vars.has(name)) vars.set(name, cgiBytes(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return vars;
}

/** sendsms's GET form: everything in the query string (dlrmask and dlrurl are the deprecated spellings). */
function fromQuery(req: FastifyRequest): KannelSendInput {
  const url = req.raw.url ?? '';
  const vars = cgiVariables(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const str = (...names: string[]) => {
    for (const n of names) if (vars.has(n)) return vars.get(n)!.toString('utf8');
    return undefined;
  };
  const input: KannelSendInput = {};
  for (const [k, v] of Object.entries({
    from: str('from'),
    to: str('to'),
    charset: str('charset'),
    coding: str('coding'),
    validity: str('validity'),
    deferred: str('deferred'),
    'dlr-mask': str('dlr-mask', 'dlrmask'),
    'dlr-url': str('dlr-url', 'dlrurl'),
  })) {
    if (v !== undefined) (input as Record<string, string>)[k] = v;
  }
  const text = vars.get('text');
  if (text) input.text = text;
  // URL-encoded bytes, like the text.
  const udh = vars.get('udh');
  if (udh) input.udh = udh;
  return input;
}

/**
 * sendsms's POST form: the parameters in X-Kannel-* headers, the text the body, its charset the
 * Content-Type's; a body of application/octet-stream is 8-bit data unless X-Kannel-Coding says otherwise.
 */
function fromHeaders(req: FastifyRequest): KannelSendInput {
  const type = String(req.headers['content-type'] ?? '');
  const octetStream = /^application\/octet-stream\b/i.test(type);
  if (!/^text\/plain\b/i.test(type) && !octetStream) throw new AppError('unsupported_media_type');
  const input: KannelSendInput = octetStream ? { octetStream } : {};
  for (const [k, header] of HEADERS) {
    const v = req.headers[header];
    if (v !== undefined) (input as Record<string, string>)[k] = Array.isArray(v) ? v[0]! : v;
  }
  const udh = req.headers['x-kannel-udh'];
  if (typeof udh === 'string' && udh !== '') {
    if (!/^([0-9a-f]{2})+$/i.test(udh.trim())) throw validationError([{ field: 'udh', message: 'X-Kannel-UDH must be hex' }]);
    input.udh = Buffer.from(udh.trim(), 'hex');
  }
  const charset = /charset="?([^";\s]+)"?/i.exec(type)?.[1];
  if (charset) input.charset = charset;
  input.text = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
  return input;
}

/**
 * Kannel's sendsms at /cgi-bin/sendsms, GET (a query string) and POST (X-Kannel-* headers and a
 * text body), with `username` = a key's id and `password` = the key (http/credentials.ts).
 * Answers as Kannel's smsbox does: 202 "0: Accepted for delivery", or its error texts
 * (kannel-errors.ts). Hidden from /openapi.json: it is Kannel's interface.
 */
export async function kannelRoutes(app: FastifyInstance, opts: { ctx: ModuleContext }): Promise<void> {
  const { ctx } = opts;
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler(async (err: Error, req, reply) => {
    const c = classify(err);
    const status = HTTP_STATUS[c.code];
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (c.headers) reply.headers(c.headers);
    const answer = kannelAnswer(c.code, c.errors, status);
    return reply.code(answer.status).headers(REPLY_HEADERS).send(answer.text);
  });

  const handler = (read: (req: FastifyRequest) => KannelSendInput) => async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = req.principal;
    if (!principal) throw new Error('sendsms ran without the pipeline\'s principal');
    const { plan } = await planKannelSms(ctx, principal, read(req));
    await ctx.accepts.commit(plan, null);
    return reply.code(202).headers(REPLY_HEADERS).send('0: Accepted for delivery');
  };
  const config = { scope: 'sms:send' as const, idempotent: false, credentials: 'kannel' as const };
  app.route({ method: 'GET', url: KANNEL_SENDSMS, config, schema: { hide: true }, handler: handler(fromQuery) });
  app.route({ method: 'POST', url: KANNEL_SENDSMS, config, schema: { hide: true }, handler: handler(fromHeaders) });
}
