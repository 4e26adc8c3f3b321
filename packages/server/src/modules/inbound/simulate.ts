import type { Channels } from '../../providers/channels.ts';
import { moAddress } from '../../providers/sms/smpp-mo.ts';
import { SmsSimulator } from '../../providers/sms/sms-simulator.ts';

/**
 * A simulated phone sends `text` to `to` through the SMS simulator, as a network would hand it
 * over (the simulator's inbound handler stores it). Answers the addresses as they were read.
 */
export async function simulateMo(channels: Channels, input: { from: string; to: string; text: string }): Promise<{ from: string; to: string }> {
  const sim = channels.smsSandbox;
  if (!(sim instanceof SmsSimulator)) throw new Error('the SMS sandbox is not the simulator');
  const from = moAddress(input.from);
  const to = moAddress(input.to);
  await sim.sendMo({ from, to, text: input.text, concat: null });
  return { from, to };
}
