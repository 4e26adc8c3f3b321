import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hellio } from '../support/cli.ts';
import { throwawayDatabase } from '../support/harness.ts';

/** The operator's side of email verification's price: `hellio prices list|set --channel email_verify`. */
describe('hellio prices for email_verify', () => {
  let db: Awaited<ReturnType<typeof throwawayDatabase>>;
  beforeAll(async () => {
    db = await throwawayDatabase('sqlite');
  });
  afterAll(async () => db?.drop());

  const cli = (...args: string[]) => hellio(['--json', ...args], db.env);

  it('starts at the flat rate the migration set, and takes a new one', async () => {
    const listed = await cli('prices', 'list', '--channel', 'email_verify');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ channel: 'email_verify', currency: 'USD', data: [{ prefix: '', price: '0.0020' }] });
    const set = await cli('prices', 'set', '--channel', 'email_verify', '--price', '0.0035');
    expect(set.code, set.stderr).toBe(0);
    const after = await cli('prices', 'list', '--channel', 'email_verify');
    expect(JSON.parse(after.stdout).data).toEqual([{ prefix: '', price: '0.0035' }]);
  });
});
