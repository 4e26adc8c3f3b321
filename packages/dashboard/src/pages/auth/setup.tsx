/** First run: the one-time link printed by `hellio start` creates the first operator and account. */
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSignedIn, type Me } from '../../lib/session.ts';
import { Button } from '../../ui/button.tsx';
import { ErrorNote, Loading } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { AuthCard } from './card.tsx';

/** The first-run page: whoever holds the setup link becomes the platform's first operator. */
export function SetupPage() {
  const { token = '' } = useSearch({ strict: false }) as { token?: string };
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const needed = useQuery({ queryKey: ['setup'], queryFn: () => api<{ needed: boolean }>('GET', '/auth/setup') });
  const [form, setForm] = useState({ name: '', email: '', password: '', account_name: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });

  if (needed.isPending) return <AuthCard title="Set up Hellio"><Loading /></AuthCard>;
  if (needed.data && !needed.data.needed)
    return (
      <AuthCard title="Hellio is set up">
        <p className="text-sm">The first operator exists already. Log in instead.</p>
        <Button look="primary" className="mt-4 w-full" onClick={() => void navigate({ to: '/login' })}>
          Go to log in
        </Button>
      </AuthCard>
    );
  return (
    <AuthCard title="Set up Hellio">
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Create the first operator: the person who runs this installation. You also get an account to send from.
      </p>
      {!token && <ErrorNote error="This page needs the setup link that `hellio start` printed (it carries a token)." />}
      <form
        className="space-y-4"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const me = await api<Me>('POST', '/auth/setup', {
              token,
              email: form.email,
              password: form.password,
              ...(form.name ? { name: form.name } : {}),
              ...(form.account_name ? { account_name: form.account_name } : {}),
            });
            signedIn(me);
            await navigate({ to: '/' });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="Your name" autoComplete="name" value={form.name} onChange={set('name')} />
        <Field label="Email" type="email" autoComplete="username" required value={form.email} onChange={set('email')} />
        <Field label="Password" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters." value={form.password} onChange={set('password')} />
        <Field label="Account name" placeholder="My account" value={form.account_name} onChange={set('account_name')} />
        <ErrorNote error={error} />
        <Button type="submit" look="primary" busy={busy} className="w-full" disabled={!token}>
          Create operator
        </Button>
      </form>
    </AuthCard>
  );
}
