/** Password reset: ask for a link by email; the link (?token=) sets a new password and ends every session. */
import { Link, useSearch } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { Button } from '../../ui/button.tsx';
import { ErrorNote, Notice } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { AuthCard } from './card.tsx';

const linkClass = 'text-indigo-700 underline dark:text-indigo-300';

/** The reset page: without a token it sends a link; with one it sets the new password. */
export function ResetPasswordPage() {
  const { token } = useSearch({ strict: false }) as { token?: string };
  return token ? <SetNewPassword token={token} /> : <RequestLink />;
}

function RequestLink() {
  const [email, setEmail] = useState('');
  const request = useMutation({ mutationFn: () => api('POST', '/auth/password-reset', { email: email.trim() }) });
  return (
    <AuthCard title="Reset your password">
      {request.isSuccess ? (
        <Notice>If {email.trim()} has a user here, a link to set a new password is on its way. It works once, for one hour.</Notice>
      ) : (
        <form
          noValidate
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate();
          }}
        >
          <p className="text-sm">We email you a link to choose a new password.</p>
          <Field label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <ErrorNote error={request.error} />
          <Button type="submit" look="primary" busy={request.isPending} className="w-full">
            Send reset link
          </Button>
        </form>
      )}
      <p className="mt-4 text-sm">
        <Link to="/login" className={linkClass}>
          Back to log in
        </Link>
      </p>
    </AuthCard>
  );
}

function SetNewPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const confirm = useMutation({ mutationFn: () => api('POST', '/auth/password-reset/confirm', { token, password }) });
  if (confirm.isSuccess)
    return (
      <AuthCard title="Password changed">
        <Notice>Your password is changed, and every session of yours has ended. Log in with the new password.</Notice>
        <Link to="/login" className="mt-4 inline-block rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
          Log in
        </Link>
      </AuthCard>
    );
  return (
    <AuthCard title="Choose a new password">
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          confirm.mutate();
        }}
      >
        <Field label="New password" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters. Every session of yours ends." value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorNote error={confirm.error} />
        <Button type="submit" look="primary" busy={confirm.isPending} className="w-full">
          Set new password
        </Button>
      </form>
      <p className="mt-4 text-sm">
        Link expired?{' '}
        <Link to="/reset-password" search={{}} className={linkClass}>
          Ask for a new one
        </Link>
      </p>
    </AuthCard>
  );
}
