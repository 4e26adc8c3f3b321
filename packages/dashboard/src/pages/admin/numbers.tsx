/** Admin → Numbers: which account receives SMS on which number (inbound, STOP/START/HELP). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

/** A number as GET /admin/numbers answers it. */
interface NumberRow {
  number: string;
  account_id: string;
  created_at: string;
}

/** The assigned numbers, assigning one to an account, releasing one. */
export function AdminNumbersPage() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['admin', 'numbers'], queryFn: () => api<{ data: NumberRow[] }>('GET', '/admin/numbers') });
  const [form, setForm] = useState({ number: '', account: '' });
  const [done, setDone] = useState<string | null>(null);
  const assign = useMutation({
    mutationFn: () => api<NumberRow>('POST', '/admin/numbers', { number: form.number.trim(), account_id: form.account.trim() }),
    onSuccess: (n) => {
      setForm({ number: '', account: '' });
      setDone(`${n.number} now belongs to ${n.account_id}.`);
      void qc.invalidateQueries({ queryKey: ['admin', 'numbers'] });
    },
  });
  const release = useMutation({
    mutationFn: (n: string) => api<NumberRow>('DELETE', `/admin/numbers?number=${encodeURIComponent(n)}`),
    onSuccess: (n) => {
      setDone(`Released ${n.number}: SMS to it are dropped from now on.`);
      void qc.invalidateQueries({ queryKey: ['admin', 'numbers'] });
    },
  });
  const fieldError = (field: string) => (assign.error instanceof ApiError ? assign.error.errors?.find((e) => e.field === field)?.message : undefined);

  return (
    <>
      <PageHeader title="Numbers" intro="SMS to a number become inbound messages of the account it is assigned to; STOP, START and HELP to it act for that account. SMS to unassigned numbers are dropped." />
      <Section title="Assign a number">
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setDone(null);
            assign.mutate();
          }}
        >
          <Field label="Number" placeholder="+447400123140" required value={form.number} onChange={(e) => setForm({ ...form, number: e.target.value })} error={fieldError('number')} />
          <Field label="Account id" placeholder="acc_…" required value={form.account} onChange={(e) => setForm({ ...form, account: e.target.value })} />
          <Button type="submit" look="primary" busy={assign.isPending}>
            Assign
          </Button>
        </form>
        {assign.error && !fieldError('number') && <ErrorNote error={assign.error} />}
      </Section>
      {done && <Notice>{done}</Notice>}
      <ErrorNote error={release.error} />
      <Section title="Assigned numbers">
        <Query q={list}>
          {(l) =>
            l.data.length === 0 ? (
              <Empty>No number is assigned.</Empty>
            ) : (
              <Table caption="Assigned numbers" head={['Number', 'Account', 'Since', 'Actions']}>
                {l.data.map((n) => (
                  <tr key={n.number}>
                    <Td className="font-mono">{n.number}</Td>
                    <Td className="font-mono">{n.account_id}</Td>
                    <Td className="whitespace-nowrap">{dateTime(n.created_at)}</Td>
                    <Td>
                      <Button busy={release.isPending && release.variables === n.number} onClick={() => (setDone(null), release.mutate(n.number))}>
                        Release
                      </Button>
                    </Td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Query>
      </Section>
    </>
  );
}
