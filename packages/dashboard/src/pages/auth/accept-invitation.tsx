/** The link of an invitation email: new people choose a name and password; people with a user sign in (or are) and join. */
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api, ApiError } from '../../lib/api.ts';
import { useMe, useSignedIn, type Me } from '../../lib/session.ts';
import { Button } from '../../ui/button.tsx';
import { ErrorNote, Loading } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { AuthCard } from './card.tsx';

/**
 * The account the invitation added, to land on. The answer lists memberships oldest first and an
 * invitation always makes a new one (inviting a member is refused), so it is the last one the
 * person did not have before — for someone who was not signed in, simply the last.
 */
function joinedAccount(before: Me | null | undefined, after: Me): string | undefined {
  const had = new Set(before?.accounts.map((a) => a.id) ?? []);
  return (after.accounts.filter((a) => !had.has(a.id)).at(-1) ?? after.accounts.at(-1))?.id;
}

/** The accept-invitation page. */
export function AcceptInvitationPage() {
  const { token = '' } = useSearch({ strict: false }) as { token?: string };
  const me = useMe();
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const [form, setForm] = useState({ name: '', password: '', code: '' });
  const [needsCode, setNeedsCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });

  async function accept(withPassword: boolean) {
    setBusy(true);
    setError(null);
    try {
      const code = form.code.trim();
      const second = code === '' ? {} : /^\d{6}$/.test(code) ? { totp_code: code } : { recovery_code: code };
      const after = await api<Me>('POST', '/auth/invitations/accept', {
        token,
        ...(withPassword ? { password: form.password, ...second } : {}),
        ...(withPassword && form.name.trim() ? { name: form.name.trim() } : {}),
      });
      const target = joinedAccount(me.data, after);
      signedIn(after);
      await navigate(target ? { to: '/accounts/$accountId', params: { accountId: target } } : { to: '/' });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') setNeedsCode(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (me.isPending) return <AuthCard title="Join an account"><Loading /></AuthCard>;
  return (
    <AuthCard title="Join an account">
      {!token && <ErrorNote error="This page needs the link from the invitation email (it carries a token)." />}
      {me.data ? (
        <>
          <p className="mb-4 text-sm">
            You are signed in as <strong>{me.data.user.email}</strong>. Accept the invitation with this user? (If it was sent to another address, log out first.)
          </p>
          <ErrorNote error={error} />
          <Button look="primary" className="w-full" busy={busy} disabled={!token} onClick={() => void accept(false)}>
            Accept invitation
          </Button>
        </>
      ) : (
        <form
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void accept(true);
          }}
        >
          <p className="text-sm">
            New to Hellio? Choose your name and a password. Already have a user with the invited address? Enter its password.
          </p>
          <Field label="Your name" autoComplete="name" hint="Only when you are new here." value={form.name} onChange={set('name')} />
          <Field label="Password" type="password" autoComplete="current-password" required hint="New here: at least 8 characters." value={form.password} onChange={set('password')} />
          {needsCode && (
            <Field
              label="Authentication code"
              hint="The 6-digit code of your authenticator app, or one of your recovery codes."
              autoComplete="one-time-code"
              autoFocus
              value={form.code}
              onChange={set('code')}
            />
          )}
          <ErrorNote error={error} />
          <Button type="submit" look="primary" busy={busy} className="w-full" disabled={!token}>
            Accept invitation
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
