/** Lookups and email verifications the account made with its API keys. */
import { accountPath, useAccountId } from '../../lib/account.ts';
import { dateTime, money } from '../../lib/format.ts';
import { usePaged } from '../../lib/paged.ts';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';
import { Pager } from '../../ui/pager.tsx';

/** A number lookup as the API stores it (the fields shown here). */
interface Lookup {
  id: string;
  number: string;
  valid: boolean;
  country: string | null;
  type: string;
  carrier: string | null;
  international_format: string;
  price: string;
  currency: string;
  sandbox: boolean;
  created_at: string;
}

/** An email verification as the API stores it (the fields shown here). */
interface Verification {
  id: string;
  email: string;
  result: string;
  reason: string | null;
  suggestion: string | null;
  price: string;
  currency: string;
  sandbox: boolean;
  created_at: string;
}

const RESULT_TONE: Record<string, 'good' | 'bad' | 'warn' | 'neutral'> = { deliverable: 'good', undeliverable: 'bad', risky: 'warn', unknown: 'neutral' };

/** The account's lookups page. */
export function LookupsPage() {
  const accountId = useAccountId();
  return (
    <>
      <PageHeader
        title="Lookups"
        intro={
          <>
            Number lookups (<code>POST /lookup</code>) and email verifications (<code>POST /email/verify</code>) made with this account's API keys, newest first. They are
            made with a key that has the <code>lookup</code> or <code>email:verify</code> scope, not from the dashboard.
          </>
        }
      />
      <NumberLookups accountId={accountId} />
      <EmailVerifications accountId={accountId} />
    </>
  );
}

function NumberLookups({ accountId }: { accountId: string }) {
  const { q, page, newer, older } = usePaged<Lookup>(['lookups', accountId], accountPath(accountId, '/lookups'));
  return (
    <Section title="Number lookups">
      <Query q={q}>
        {(p) =>
          p.data.length === 0 ? (
            <Empty>No lookups yet.</Empty>
          ) : (
            <Table caption="Number lookups, newest first" head={['When', 'Number', 'Valid', 'Type', 'Country', 'Carrier', 'Price']}>
              {p.data.map((l) => (
                <tr key={l.id}>
                  <Td className="whitespace-nowrap">{dateTime(l.created_at)}</Td>
                  <Td className="whitespace-nowrap font-mono text-xs">{l.international_format || l.number}</Td>
                  <Td>
                    <Badge tone={l.valid ? 'good' : 'bad'}>{l.valid ? 'valid' : 'invalid'}</Badge>
                  </Td>
                  <Td>{l.type}</Td>
                  <Td>{l.country ?? '—'}</Td>
                  <Td>{l.carrier ?? '—'}</Td>
                  <Td className="whitespace-nowrap tabular-nums">
                    {money(l.price, l.currency)}
                    {l.sandbox && <span className="ml-1 text-xs text-zinc-500">(sandbox)</span>}
                  </Td>
                </tr>
              ))}
            </Table>
          )
        }
      </Query>
      <Pager label="Number lookups" page={page} newer={newer} older={older} />
    </Section>
  );
}

function EmailVerifications({ accountId }: { accountId: string }) {
  const { q, page, newer, older } = usePaged<Verification>(['verifications', accountId], accountPath(accountId, '/email/verifications'));
  return (
    <Section title="Email verifications">
      <Query q={q}>
        {(p) =>
          p.data.length === 0 ? (
            <Empty>No email verifications yet.</Empty>
          ) : (
            <Table caption="Email verifications, newest first" head={['When', 'Address', 'Result', 'Reason', 'Suggestion', 'Price']}>
              {p.data.map((v) => (
                <tr key={v.id}>
                  <Td className="whitespace-nowrap">{dateTime(v.created_at)}</Td>
                  <Td className="break-all font-mono text-xs">{v.email}</Td>
                  <Td>
                    <Badge tone={RESULT_TONE[v.result] ?? 'neutral'}>{v.result}</Badge>
                  </Td>
                  <Td className="text-xs">{v.reason ?? '—'}</Td>
                  <Td className="font-mono text-xs">{v.suggestion ?? '—'}</Td>
                  <Td className="whitespace-nowrap tabular-nums">
                    {money(v.price, v.currency)}
                    {v.sandbox && <span className="ml-1 text-xs text-zinc-500">(sandbox)</span>}
                  </Td>
                </tr>
              ))}
            </Table>
          )
        }
      </Query>
      <Pager label="Email verifications" page={page} newer={newer} older={older} />
    </Section>
  );
}
