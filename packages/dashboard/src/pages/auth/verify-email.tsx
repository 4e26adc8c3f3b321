/** The link of the verification email: confirms the address (and, with open sign-up, activates the account). */
import { Link, useSearch } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../lib/api.ts';
import { Button } from '../../ui/button.tsx';
import { ErrorNote } from '../../ui/feedback.tsx';
import { AuthCard } from './card.tsx';

interface Verified {
  verified: true;
  email: string;
  account: { id: string; name: string; status: string } | null;
}

/** The email-verification page: one button spends the link (a mail scanner opening the URL spends nothing). */
export function VerifyEmailPage() {
  const { token = '' } = useSearch({ strict: false }) as { token?: string };
  const verify = useMutation({ mutationFn: () => api<Verified>('POST', '/auth/verify-email', { token }) });
  if (verify.data) {
    const a = verify.data.account;
    return (
      <AuthCard title="Address confirmed">
        <p className="text-sm">
          <strong>{verify.data.email}</strong> is confirmed.
        </p>
        {a && (
          <p role="status" className="mt-2 text-sm">
            {a.status === 'active'
              ? `Your account ${a.name} is active: its API keys work.`
              : `Your account ${a.name} is ${a.status}: an operator activates it. You can log in and look around meanwhile.`}
          </p>
        )}
        <Link to="/login" className="mt-4 inline-block rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
          Log in
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Confirm your email">
      {!token && <ErrorNote error="This page needs the link from the verification email (it carries a token)." />}
      <p className="mb-4 text-sm">Confirm that this address is yours.</p>
      <ErrorNote error={verify.error} />
      <Button look="primary" className="w-full" busy={verify.isPending} disabled={!token} onClick={() => verify.mutate()}>
        Confirm my address
      </Button>
    </AuthCard>
  );
}
