import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the dashboard's build is, or why it is not served. */
export type DashboardBuild = { dir: string } | { missing: string };

// The app is a single page: scripts from our own origin only, no framing (clickjacking), and
// inline style attributes allowed because the chart library sizes its canvas with them.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

function pageHeaders(reply: FastifyReply): FastifyReply {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) reply.header(name, value);
  return reply;
}

/**
 * Serves the built dashboard at /dashboard/: its files, and index.html for every other path
 * under it (the app routes in the browser). Hashed assets are cached for a year; the page never.
 */
export async function serveDashboard(app: FastifyInstance, build: DashboardBuild): Promise<void> {
  const config = { auth: 'public' as const };
  app.get('/dashboard', { schema: { hide: true }, config }, async (_req, reply) => reply.redirect('/dashboard/'));
  if ('missing' in build || !existsSync(join(build.dir, 'index.html'))) {
    const why = 'missing' in build ? build.missing : `no build in ${build.dir}`;
    app.get('/dashboard/*', { schema: { hide: true }, config }, async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The dashboard is not built (${why}). Run \`npm run build -w @hellio/dashboard\`, or start with \`hellio start\`, which builds it.\n`),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: build.dir,
    prefix: '/dashboard/',
    // Routes for the files built before start; a rebuild means a restart (as `hellio start` does).
    wildcard: false,
    index: false,
    schemaHide: true,
    setHeaders(reply: FastifyReply, path: string) {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  const page = async (_req: unknown, reply: FastifyReply) =>
    pageHeaders(reply).header('cache-control', 'no-cache').sendFile('index.html', build.dir);
  app.get('/dashboard/', { schema: { hide: true }, config }, page);
  app.get('/dashboard/*', { schema: { hide: true }, config }, page);
  // A file the build does not hold (an old page asking for last version's script) is a 404, not
  // the page: a browser handed HTML for a script shows nothing at all.
  app.get('/dashboard/assets/*', { schema: { hide: true }, config }, async (_req, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send('Not found. The dashboard has been updated: reload the page.\n'),
  );
}
