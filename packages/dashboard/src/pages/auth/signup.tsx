/** Sign up (HELLIO_SIGNUP): a user and an account; closed installations say so. */
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, ApiError } from '../../lib/api.ts';
import { Button } from '../../ui/button.tsx';
import { ErrorNote } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { AuthCard } from './card.tsx';

const linkClass = 'text-indigo-700 underline dark:text-indigo-300';

/** The sign-up page. */
export function SignupPage() {
  const [form, setForm] = useState({ name: '', email: '', password: '', account_name: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<'sent' | 'closed' | null>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });

  if (outcome === 'closed')
    return (
      <AuthCard title="Sign-up is closed">
        <p className="text-sm">{error instanceof ApiError ? error.message : 'This installation does not take sign-ups.'}</p>
        <p className="mt-2 text-sm">An operator creates users here, or a member of an account invites you by email.</p>
        <p className="mt-4 text-sm">
          <Link to="/login" className={linkClass}>
            Log in
          </Link>
        </p>
      </AuthCard>
    );
  if (outcome === 'sent')
    return (
      <AuthCard title="Check your email">
        <p className="text-sm">
          We sent a link to <strong>{form.email}</strong>. Open it to confirm your address.
        </p>
        <p className="mt-2 text-sm">
          Your account <strong>{form.account_name}</strong> is pending until it is activated: on this installation that happens when you confirm your address, or when
          an operator approves it. You can log in meanwhile and look around; its API keys work once it is active.
        </p>
        <p className="mt-4 text-sm">
          <Link to="/login" className={linkClass}>
            Log in
          </Link>
        </p>
      </AuthCard>
    );
  return (
    <AuthCard title="Sign up">
      <form
        className="space-y-4"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api('POST', '/auth/signup', {
              email: form.email.trim(),
              password: form.password,
              account_name: form.account_name.trim(),
              ...(form.name.trim() ? { name: form.name.trim() } : {}),
            });
            setOutcome('sent');
          } catch (err) {
            setError(err);
            if (err instanceof ApiError && err.code === 'signup_closed') setOutcome('closed');
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="Your name" autoComplete="name" value={form.name} onChange={set('name')} />
        <Field label="Email" type="email" autoComplete="username" required value={form.email} onChange={set('email')} />
        <Field label="Password" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters." value={form.password} onChange={set('password')} />
        <Field label="Account name" required hint="Your company or project." value={form.account_name} onChange={set('account_name')} />
        <ErrorNote error={error} />
        <Button type="submit" look="primary" busy={busy} className="w-full">
          Sign up
        </Button>
      </form>
      <p className="mt-4 text-sm">
        Already have a user?{' '}
        <Link to="/login" className={linkClass}>
          Log in
        </Link>
      </p>
    </AuthCard>
  );
}
