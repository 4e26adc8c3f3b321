import type { Selectable } from '../kysely.ts';
import type { SecretBox } from '../../lib/sealed-secrets.ts';
import type { MessageCallbacksTable } from '../schema.ts';
import type { Executor } from './executor.ts';

/** One message's callback: where, how, and (sealed at rest) what signs it. */
export type MessageCallbackRow = Selectable<MessageCallbacksTable>;

const TOKEN = 'message_callbacks.token';

/** Where messages sent through a compatibility API report their status; the signing token is sealed here. */
export class MessageCallbacksRepo {
  constructor(
    private readonly db: Executor,
    private readonly box: SecretBox,
  ) {}

  async insert(row: MessageCallbackRow): Promise<void> {
    await this.db
      .insertInto('message_callbacks')
      .values({ ...row, token: this.box.sealNullable(row.token, TOKEN) })
      .execute();
  }

  /** The callbacks of these messages (most have none), token still sealed: enough to decide what to enqueue. */
  async forMessages(messageIds: readonly string[]): Promise<Array<Pick<MessageCallbackRow, 'message_id' | 'kind' | 'mask'>>> {
    if (messageIds.length === 0) return [];
    return this.db.selectFrom('message_callbacks').select(['message_id', 'kind', 'mask']).where('message_id', 'in', [...messageIds]).execute();
  }

  /** One message's callback with its token opened. */
  async get(messageId: string): Promise<MessageCallbackRow | undefined> {
    const row = await this.db.selectFrom('message_callbacks').selectAll().where('message_id', '=', messageId).executeTakeFirst();
    return row && { ...row, token: this.box.openNullable(row.token, TOKEN) };
  }

  async delete(messageId: string): Promise<void> {
    await this.db.deleteFrom('message_callbacks').where('message_id', '=', messageId).execute();
  }
}
