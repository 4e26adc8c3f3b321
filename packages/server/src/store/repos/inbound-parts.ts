import type { Selectable } from '../kysely.ts';
import type { InboundPartsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

/** One stored part of a concatenated MO SMS. */
export type InboundPartRow = Selectable<InboundPartsTable>;

/** What names one concatenated message: who sent it, to which number, its reference and part count. */
export type InboundPartsKey = Pick<InboundPartRow, 'source' | 'destination' | 'ref' | 'total'>;

/** The parts of concatenated MO SMS waiting for the rest. */
export class InboundPartsRepo {
  constructor(private readonly db: Executor) {}

  /** Keeps a part; a part received twice (an SMSC resending) is kept once. */
  async insert(row: InboundPartRow): Promise<void> {
    await this.db
      .insertInto('inbound_parts')
      .values(row)
      .onConflict((oc) => oc.columns(['source', 'destination', 'ref', 'total', 'seq']).doNothing())
      .execute();
  }

  /** The parts of one message received so far, in order. */
  async parts(key: InboundPartsKey): Promise<InboundPartRow[]> {
    return this.db
      .selectFrom('inbound_parts')
      .selectAll()
      .where('source', '=', key.source)
      .where('destination', '=', key.destination)
      .where('ref', '=', key.ref)
      .where('total', '=', key.total)
      .orderBy('seq')
      .execute();
  }

  async delete(key: InboundPartsKey): Promise<void> {
    await this.db
      .deleteFrom('inbound_parts')
      .where('source', '=', key.source)
      .where('destination', '=', key.destination)
      .where('ref', '=', key.ref)
      .where('total', '=', key.total)
      .execute();
  }
}
