/** Log in: email and password, then a TOTP or recovery code when the person has a second factor. */
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api, ApiError } from '../../lib/api.ts';
import { useSignedIn, type Me } from '../../lib/session.ts';
import { Button } from '../../ui/button.tsx';
import { ErrorNote } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { AuthCard } from './card.tsx';

/** Where to go after signing in: a path inside the dashboard only (never another site). */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** The log-in page (SPEC §5: fields "Email" and "Password", button "Log in"). */
export function LoginPage() {
  const search = useSearch({ strict: false }) as { next?: string };
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const second = code.trim() === '' ? {} : /^\d{6}$/.test(code.trim()) ? { totp_code: code.trim() } : { recovery_code: code.trim() };
      const me = await api<Me>('POST', '/auth/login', { email, password, ...second });
      signedIn(me);
      await navigate({ to: safeNext(search.next) });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') {
        setNeedsCode(true);
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Log in">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Field label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {needsCode && (
          <Field
            label="Authentication code"
            hint="The 6-digit code of your authenticator app, or one of your recovery codes."
            autoComplete="one-time-code"
            inputMode="numeric"
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        )}
        <ErrorNote error={error} />
        <Button type="submit" look="primary" busy={busy} className="w-full">
          Log in
        </Button>
      </form>
      <p className="mt-4 flex justify-between text-sm">
        <Link to="/reset-password" className="text-indigo-700 underline dark:text-indigo-300">
          Forgot your password?
        </Link>
        <Link to="/signup" className="text-indigo-700 underline dark:text-indigo-300">
          Sign up
        </Link>
      </p>
    </AuthCard>
  );
}
