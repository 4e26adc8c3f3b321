/** IP Allowlist: the addresses and ranges the account's API keys may be used from. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, ApiError, withQuery } from '../../lib/api.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, ErrorNote, Loading, Notice } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

type Allowlist = { data: string[] };

/** The IP Allowlist page. */
export function AllowlistPage() {
  const accountId = useAccountId();
  const canWrite = useCan('allowlist');
  const qc = useQueryClient();
  const queryKey = ['account', accountId, 'allowlist'];
  const list = useQuery({ queryKey, queryFn: () => api<Allowlist>('GET', accountPath(accountId, '/allowlist')) });
  const [ip, setIp] = useState('');
  const [done, setDone] = useState<string | null>(null);
  // The API answers the whole list after each change: that answer becomes the list shown.
  const add = useMutation({
    mutationFn: (entry: string) => api<Allowlist>('POST', accountPath(accountId, '/allowlist'), { ip: entry }),
    onSuccess: (data, entry) => {
      qc.setQueryData(queryKey, data);
      setIp('');
      setDone(`Added ${entry}.`);
    },
  });
  const remove = useMutation({
    mutationFn: (entry: string) => api<Allowlist>('DELETE', withQuery(accountPath(accountId, '/allowlist'), { ip: entry })),
    onSuccess: (data, entry) => {
      qc.setQueryData(queryKey, data);
      setDone(data.data.length === 0 ? `Removed ${entry}. The list is empty: keys work from every address again.` : `Removed ${entry}.`);
    },
  });
  const ipError = add.error instanceof ApiError ? add.error.errors?.find((e) => e.field === 'ip')?.message : undefined;

  return (
    <>
      <PageHeader
        title="IP Allowlist"
        intro={
          <>
            Requests made with this account's API keys are accepted only from these addresses; any other address gets 403 <code>ip_not_allowed</code>. An empty
            list allows every address. Entries are IPv4 or IPv6 addresses or CIDR ranges.
          </>
        }
      />
      {canWrite && (
        <Section title="Add an address">
          <form
            className="flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setDone(null);
              remove.reset();
              add.mutate(ip.trim());
            }}
          >
            <Field
              label="IP address or CIDR"
              className="min-w-0 flex-1 sm:max-w-sm"
              placeholder="203.0.113.7 or 2001:db8::/32"
              required
              value={ip}
              onChange={(e) => setIp(e.target.value)}
              error={ipError}
            />
            <Button type="submit" look="primary" busy={add.isPending}>
              Add
            </Button>
          </form>
          {add.error && !ipError && <ErrorNote error={add.error} />}
        </Section>
      )}
      {done && <Notice>{done}</Notice>}
      <ErrorNote error={remove.error} />
      <Section title="Allowed addresses">
        {list.error ? (
          <ErrorNote error={list.error} />
        ) : list.isPending ? (
          <Loading what="Loading the allowlist" />
        ) : list.data.data.length === 0 ? (
          <Empty>The list is empty: this account's keys work from every address.</Empty>
        ) : (
          <Table caption="Allowed addresses and ranges" head={['Address or range', ...(canWrite ? ['Actions'] : [])]}>
            {list.data.data.map((entry) => (
              <tr key={entry}>
                <Td className="font-mono">{entry}</Td>
                {canWrite && (
                  <Td>
                    <Button
                      busy={remove.isPending && remove.variables === entry}
                      onClick={() => {
                        setDone(null);
                        add.reset();
                        remove.mutate(entry);
                      }}
                    >
                      Remove
                    </Button>
                  </Td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </>
  );
}
