// Sends an SMS with @hellio/sdk, reads it back and shows the balance.
//
//   HELLIO_API_KEY=cs_… node examples/sdk-send.mjs +14155552671
//
// HELLIO_BASE_URL says where the server is (http://localhost:3000 by default); the sender is
// HELLIO_SENDER, or HELLIO (an approved sender id of the account).
import { Hellio, HellioError } from '@hellio/sdk';

const hellio = new Hellio(process.env.HELLIO_API_KEY, { baseUrl: process.env.HELLIO_BASE_URL ?? 'http://localhost:3000' });
const to = process.argv[2] ?? '+14155552671';

try {
  const sent = await hellio.sms.send({ from: process.env.HELLIO_SENDER ?? 'HELLIO', to, message: 'Hello from the Hellio SDK' });
  const [first] = sent.messages;
  console.log(`sent ${first.id} to ${first.to}: ${first.segments} segment(s), ${sent.total_price} ${sent.currency}`);

  const message = await hellio.messages.get(first.id);
  console.log(`status: ${message.status}`);

  const { balance, currency } = await hellio.balance();
  console.log(`balance: ${balance} ${currency}`);
} catch (err) {
  if (!(err instanceof HellioError)) throw err;
  // err.code is machine-readable; err.errors names the refused fields of a ValidationError.
  console.error(`${err.name} (${err.status ?? 'no answer'} ${err.code}): ${err.message}`);
  for (const e of err.errors ?? []) console.error(`  ${e.field}: ${e.message}`);
  process.exitCode = 1;
}
