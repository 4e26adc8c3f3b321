// The baseline of goal 4 (issue 17): a bare Fastify 5 POST route that parses the same JSON body
// Hellio's POST /sms/send gets and answers 202 with a small JSON, as Hellio does.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/sms/send', async (req, reply) => {
  const body = req.body;
  reply.code(202);
  return { id: 'msg_hello', to: body?.to ?? null, status: 'queued' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
