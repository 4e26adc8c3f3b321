/** The signed-in person's settings: who they are, their password, the second factor, their sessions. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from '@tanstack/react-router';
import { api, setCsrfToken } from '../lib/api.ts';
import { dateTime } from '../lib/format.ts';
import { ME_KEY, useMe, type Me, type User } from '../lib/session.ts';
import { Button } from '../ui/button.tsx';
import { CopyButton } from '../ui/copy.tsx';
import { ConfirmButton } from '../ui/dialog.tsx';
import { Empty, ErrorNote, Notice, Query } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../ui/layout.tsx';

/** One of the person's live sessions. */
interface SessionRow {
  id: string;
  current: boolean;
  ip: string;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/** The settings page. */
export function SettingsPage() {
  const me = useMe().data!;
  return (
    <main id="main" tabIndex={-1} className="mx-auto max-w-4xl p-4 md:p-6">
      <PageHeader title="Settings" intro="Your own settings: they follow you in every account you belong to." />
      <Profile user={me.user} />
      <Password email={me.user.email} />
      <Totp user={me.user} />
      <Sessions />
    </main>
  );
}

function Profile({ user }: { user: User }) {
  const qc = useQueryClient();
  const [name, setName] = useState(user.name ?? '');
  const rename = useMutation({
    mutationFn: () => api<Me>('PATCH', '/auth/me', { name }),
    onSuccess: (me) => qc.setQueryData(ME_KEY, me),
  });
  return (
    <Section title="Profile">
      <dl className="mb-4 grid gap-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-zinc-500">Email</dt>
          <dd className="break-all">
            {user.email} {user.email_verified ? <Badge tone="good">verified</Badge> : <Badge tone="warn">not verified</Badge>}
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500">Member since</dt>
          <dd>{dateTime(user.created_at)}</dd>
        </div>
        {user.operator && (
          <div>
            <dt className="text-zinc-500">Platform</dt>
            <dd>
              <Badge tone="warn">operator</Badge>
            </dd>
          </div>
        )}
      </dl>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate();
        }}
      >
        <Field label="Name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} className="min-w-0 flex-1 sm:max-w-sm" />
        <Button type="submit" busy={rename.isPending}>
          Save name
        </Button>
      </form>
      <ErrorNote error={rename.error} />
      {rename.isSuccess && <Notice>Name saved.</Notice>}
    </Section>
  );
}

function Password({ email }: { email: string }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => api('POST', '/auth/password', { current_password: current, password: next }),
    // Every session ended, this one too: sign in again with the new password.
    onSuccess: async () => {
      setCsrfToken(null);
      qc.clear();
      await navigate({ to: '/login' });
    },
  });
  // Someone who forgot the current one proves their mailbox instead (docs/people.md).
  const reset = useMutation({ mutationFn: () => api('POST', '/auth/password-reset', { email }) });
  return (
    <Section title="Password">
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <Field label="Current password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} className="max-w-sm" />
        <Field label="New password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} className="max-w-sm" hint="Changing it signs you out everywhere, here too." />
        <ErrorNote error={change.error} />
        <Button type="submit" look="primary" busy={change.isPending}>
          Change password
        </Button>
      </form>
      <p className="mt-4 text-sm">
        Forgot the current one?{' '}
        <Button look="ghost" onClick={() => reset.mutate()} busy={reset.isPending}>
          Email me a reset link
        </Button>
      </p>
      <ErrorNote error={reset.error} />
      {reset.isSuccess && <Notice>Sent to {email}: check your email for the link.</Notice>}
    </Section>
  );
}

function Totp({ user }: { user: User }) {
  const qc = useQueryClient();
  const [setup, setSetup] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const refreshMe = () => qc.invalidateQueries({ queryKey: ME_KEY });
  const start = useMutation({ mutationFn: () => api<{ secret: string; otpauth_uri: string }>('POST', '/auth/totp/setup'), onSuccess: setSetup });
  const enable = useMutation({
    mutationFn: () => api<{ recovery_codes: string[] }>('POST', '/auth/totp/enable', { code: code.trim() }),
    onSuccess: (r) => {
      setCodes(r.recovery_codes);
      setSetup(null);
      setCode('');
      void refreshMe();
    },
  });
  const disable = useMutation({
    mutationFn: () => api('POST', '/auth/totp/disable', { password, code: code.trim() }),
    onSuccess: () => {
      setCode('');
      setPassword('');
      setCodes(null);
      void refreshMe();
    },
  });
  const newCodes = useMutation({
    mutationFn: () => api<{ recovery_codes: string[] }>('POST', '/auth/totp/recovery-codes', { code: code.trim() }),
    onSuccess: (r) => {
      setCodes(r.recovery_codes);
      setCode('');
    },
  });
  return (
    <Section title="Two-factor authentication">
      {codes && (
        <section aria-label="Recovery codes" className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-700 dark:bg-amber-950">
          <p className="text-sm font-medium">Recovery codes — shown once. Keep them somewhere safe: each one signs you in once if you lose your authenticator.</p>
          <ul className="mt-2 grid grid-cols-1 gap-1 font-mono text-sm sm:grid-cols-2">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <div className="mt-2 flex items-center gap-2">
            <CopyButton value={codes.join('\n')} label="Copy recovery codes" />
            <Button look="ghost" onClick={() => setCodes(null)}>
              I saved them
            </Button>
          </div>
        </section>
      )}
      {!user.totp_enabled && !setup && (
        <>
          <p className="mb-3 text-sm">Off. With it on, signing in also asks for a code from an authenticator app.</p>
          <ErrorNote error={start.error} />
          <Button look="primary" onClick={() => start.mutate()} busy={start.isPending}>
            Set up two-factor authentication
          </Button>
        </>
      )}
      {!user.totp_enabled && setup && (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            enable.mutate();
          }}
        >
          <p className="text-sm">Add this key to your authenticator app (or open the link on the phone that has it), then type the code it shows.</p>
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-sm text-zinc-500">Secret</span>
            <code aria-label="Secret" className="break-all rounded bg-zinc-100 px-2 py-1 font-mono text-sm dark:bg-zinc-800">
              {setup.secret}
            </code>
            <CopyButton value={setup.secret} label="Copy secret" />
          </div>
          <p className="break-all text-xs">
            <a href={setup.otpauth_uri} className="text-indigo-700 underline dark:text-indigo-300">
              Open in an authenticator app
            </a>
          </p>
          <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} className="max-w-xs" />
          <ErrorNote error={enable.error} />
          <div className="flex gap-2">
            <Button type="submit" look="primary" busy={enable.isPending}>
              Turn on
            </Button>
            <Button onClick={() => setSetup(null)}>Cancel</Button>
          </div>
        </form>
      )}
      {user.totp_enabled && (
        <div className="space-y-3">
          <p className="text-sm">
            <Badge tone="good">on</Badge> Signing in asks for a code from your authenticator app, or a recovery code.
          </p>
          <Field label="Current code or recovery code" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} className="max-w-xs" />
          <Field label="Your password" hint="Needed to turn it off." type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} className="max-w-xs" />
          <ErrorNote error={disable.error ?? newCodes.error} />
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => newCodes.mutate()} busy={newCodes.isPending}>
              New recovery codes
            </Button>
            <Button look="danger" onClick={() => disable.mutate()} busy={disable.isPending}>
              Turn off
            </Button>
          </div>
        </div>
      )}
    </Section>
  );
}

function Sessions() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['sessions'], queryFn: () => api<{ data: SessionRow[] }>('GET', '/auth/sessions') });
  const [ended, setEnded] = useState<number | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['sessions'] });
  return (
    <Section
      title="Sessions"
      actions={
        <ConfirmButton
          label="Log out everywhere"
          title="Log out everywhere else?"
          question="Every other session of yours ends at once; this one stays signed in."
          confirm="Log out other sessions"
          action={async () => {
            const r = await api<{ revoked: number }>('POST', '/auth/sessions/revoke-all');
            setEnded(r.revoked);
            await refresh();
          }}
        />
      }
    >
      {ended !== null && <Notice>{ended === 1 ? '1 other session ended.' : `${ended} other sessions ended.`}</Notice>}
      <Query q={q}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No sessions.</Empty>
          ) : (
            <Table caption="Your sessions, newest first" head={['Signed in', 'Last seen', 'From', 'Browser', 'Actions']}>
              {data.map((s) => (
                <tr key={s.id}>
                  <Td className="whitespace-nowrap">
                    {dateTime(s.created_at)} {s.current && <Badge tone="good">this one</Badge>}
                  </Td>
                  <Td className="whitespace-nowrap">{dateTime(s.last_seen_at)}</Td>
                  <Td className="font-mono text-xs">{s.ip}</Td>
                  <Td className="text-xs">
                    <div title={s.user_agent ?? ''} className="line-clamp-2 min-w-40 max-w-64 break-all">
                      {s.user_agent ?? '—'}
                    </div>
                  </Td>
                  <Td>
                    {!s.current && (
                      <ConfirmButton
                        label="End"
                        ariaLabel={`End the session signed in ${dateTime(s.created_at)}`}
                        title="End this session?"
                        question="Whoever uses it is signed out at once."
                        confirm="End session"
                        action={async () => {
                          await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
                          await refresh();
                        }}
                      />
                    )}
                  </Td>
                </tr>
              ))}
            </Table>
          )
        }
      </Query>
    </Section>
  );
}
