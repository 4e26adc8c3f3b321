/** API Keys: the account's keys, made with scopes (shown once), revoked at once, rotated with an overlap. */
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, ApiError, withQuery, type Page } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { CopyButton, ShownOnce } from '../../ui/copy.tsx';
import { ConfirmButton, Dialog, DialogClose } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Loading } from '../../ui/feedback.tsx';
import { Checkbox, Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';

/** Every scope a key can hold, in the order of SPEC §1 (the server's SCOPES); each grants these routes. */
export const SCOPES: { scope: string; grants: string }[] = [
  { scope: 'email:send', grants: 'POST /send, sending domains' },
  { scope: 'sms:send', grants: 'POST /sms/send' },
  { scope: 'otp', grants: 'POST /otp/send, /otp/verify' },
  { scope: 'voice', grants: 'POST /voice/send, GET /voice' },
  { scope: 'lookup', grants: 'POST /lookup, GET /lookups' },
  { scope: 'email:verify', grants: 'POST /email/verify' },
  { scope: 'reports', grants: 'GET /messages, /campaigns' },
  { scope: 'balance', grants: 'GET /balance' },
  { scope: 'webhooks', grants: '/webhooks' },
];

/** An API key as GET /accounts/{id}/keys lists it: never the key itself. */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  test: boolean;
  status: 'active' | 'expired' | 'revoked';
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
  rotated_to: string | null;
}

/** A key just made or rotated in: the one answer holding `key`. */
type NewKey = ApiKey & { key: string };

/** The React Query key of an account's key list. */
const keysKey = (accountId: string) => ['account', accountId, 'keys'] as const;

/** A datetime-local value (the reader's time) as RFC 3339, or null when empty. */
function expiryOf(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The API Keys page. */
export function KeysPage() {
  const accountId = useAccountId();
  const canWrite = useCan('keys');
  const qc = useQueryClient();
  // The key just made lives only in this component's state: gone on reload, never cached.
  const [shown, setShown] = useState<{ label: string; key: NewKey; note?: string } | null>(null);
  const keys = useInfiniteQuery({
    queryKey: keysKey(accountId),
    queryFn: ({ pageParam }) => api<Page<ApiKey>>('GET', withQuery(accountPath(accountId, '/keys'), { limit: 50, cursor: pageParam })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: keysKey(accountId) });
  const rows = keys.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <>
      <PageHeader
        title="API Keys"
        intro={
          <>
            Keys authenticate your application: <code>Authorization: Bearer cs_…</code>. Give each key only the scopes it needs. A key is shown once, when it is
            made; Hellio keeps only a hash of it.
          </>
        }
        actions={canWrite && <CreateKeyDialog accountId={accountId} onCreated={(key) => (setShown({ label: 'API key', key }), void refresh())} />}
      />
      {shown && (
        <ShownOnce label={shown.label} value={shown.key.key}>
          <p className="mt-2 text-sm">
            <span className="font-medium">{shown.key.name}</span> · {shown.key.test ? 'test key (sandbox)' : 'live key'} · scopes {shown.key.scopes.join(', ')}
            {shown.note && <> · {shown.note}</>}
          </p>
          <Button className="mt-2" onClick={() => setShown(null)}>
            I have copied it
          </Button>
        </ShownOnce>
      )}
      <Section title="Keys">
        {keys.error ? (
          <ErrorNote error={keys.error} />
        ) : keys.isPending ? (
          <Loading what="Loading keys" />
        ) : rows.length === 0 ? (
          <Empty>No API keys yet.{canWrite && ' Create one to start sending.'}</Empty>
        ) : (
          <>
            <Table caption="API keys" head={['Name', 'Key', 'Scopes', 'Mode', 'Created', 'Last used', 'Expires', 'Status', ...(canWrite ? ['Actions'] : [])]}>
              {rows.map((k) => (
                <KeyRow
                  key={k.id}
                  k={k}
                  accountId={accountId}
                  canWrite={canWrite}
                  onChanged={() => void refresh()}
                  onRotated={(key, previous, overlap) =>
                    setShown({
                      label: 'New API key',
                      key,
                      note: overlap > 0 && previous.expires_at ? `the old key works until ${dateTime(previous.expires_at)}` : 'the old key stopped working',
                    })
                  }
                />
              ))}
            </Table>
            {keys.hasNextPage && (
              <Button className="mt-3" busy={keys.isFetchingNextPage} onClick={() => void keys.fetchNextPage()}>
                Show more keys
              </Button>
            )}
          </>
        )}
      </Section>
      <CompatSection accountId={accountId} />
    </>
  );
}

/**
 * The credentials of the Twilio- and Kannel-compatible APIs (docs/compat-twilio.md,
 * docs/compat-kannel.md): the account's Twilio account SID, read-only, from GET /accounts/{id}.
 */
function CompatSection({ accountId }: { accountId: string }) {
  const account = useQuery({
    queryKey: ['account', accountId, 'details'],
    queryFn: () => api<{ twilio_account_sid: string }>('GET', accountPath(accountId)),
  });
  return (
    <Section title="Twilio and Kannel compatibility">
      <p className="text-sm">
        Twilio's libraries sign in with this account SID and a key as the auth token (base URL <code>/twilio</code>); Kannel clients send a key's id as{' '}
        <code>username</code> and the key as <code>password</code> to <code>/cgi-bin/sendsms</code>.
      </p>
      {account.error ? (
        <ErrorNote error={account.error} />
      ) : account.isPending ? (
        <Loading what="Loading the account SID" />
      ) : (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <span className="text-sm font-medium" id="twilio-sid-label">
            Twilio account SID
          </span>
          <code aria-labelledby="twilio-sid-label" className="break-all rounded bg-zinc-100 px-2 py-1 font-mono text-sm dark:bg-zinc-900">
            {account.data.twilio_account_sid}
          </code>
          <CopyButton value={account.data.twilio_account_sid} label="Copy account SID" />
        </div>
      )}
    </Section>
  );
}

/** One key's row, with Revoke and Rotate for those who may change keys. */
function KeyRow({ k, accountId, canWrite, onChanged, onRotated }: { k: ApiKey; accountId: string; canWrite: boolean; onChanged: () => void; onRotated: (key: NewKey, previous: ApiKey, overlapSeconds: number) => void }) {
  const live = k.status === 'active';
  return (
    <tr>
      <Td className="font-medium">
        {k.name}
      </Td>
      <Td className="whitespace-nowrap font-mono text-xs">
        {k.prefix}…
        {/* The id is what Kannel clients send as `username`. */}
        <div className="mt-1 flex items-center gap-1 text-zinc-500">
          <span aria-label={`Id of key ${k.name}`}>{k.id}</span>
          <CopyButton value={k.id} label={`Copy id of key ${k.name}`} />
        </div>
      </Td>
      <Td>
        <ul className="flex flex-wrap gap-1">
          {k.scopes.map((s) => (
            <li key={s}>
              <Badge>{s}</Badge>
            </li>
          ))}
        </ul>
      </Td>
      <Td>{k.test ? <Badge tone="warn">test</Badge> : <Badge>live</Badge>}</Td>
      <Td className="whitespace-nowrap">{dateTime(k.created_at)}</Td>
      <Td className="whitespace-nowrap">{k.last_used_at ? dateTime(k.last_used_at) : 'never'}</Td>
      <Td className="whitespace-nowrap">{k.expires_at ? dateTime(k.expires_at) : 'never'}</Td>
      <Td className="whitespace-nowrap">
        <Badge tone={statusTone(k.status)}>{k.status}</Badge>
        {k.rotated_to && <div className="mt-1 text-xs text-zinc-500">rotated: replaced by a new key</div>}
        {k.revoked_at && <div className="mt-1 text-xs text-zinc-500">{dateTime(k.revoked_at)}</div>}
      </Td>
      {canWrite && (
        <Td>
          {live && (
            <div className="flex flex-wrap gap-2">
              {!k.rotated_to && <RotateDialog k={k} accountId={accountId} onRotated={(key, prev, overlap) => (onRotated(key, prev, overlap), onChanged())} />}
              <ConfirmButton
                label="Revoke"
                look="danger"
                title={`Revoke ${k.name}?`}
                question={<>Requests with this key are refused from the next one on, everywhere. This cannot be undone.</>}
                confirm="Revoke key"
                action={async () => {
                  await api('POST', accountPath(accountId, `/keys/${encodeURIComponent(k.id)}/revoke`));
                  onChanged();
                }}
              />
            </div>
          )}
        </Td>
      )}
    </tr>
  );
}

/** "Create API key": name, scopes, optional expiry, live or test. */
function CreateKeyDialog({ accountId, onCreated }: { accountId: string; onCreated: (key: NewKey) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [test, setTest] = useState(false);
  // Not the shared Checkbox: that one sets its label in monospace, as for scope names.
  const testId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldError = (f: string) => (error instanceof ApiError ? error.errors?.find((e) => e.field === f)?.message : undefined);
  const reset = () => {
    setName('');
    setScopes([]);
    setExpires('');
    setTest(false);
    setError(null);
  };
  return (
    <Dialog
      title="Create API key"
      description="The key is shown once when it is made: copy it then."
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) reset();
      }}
      trigger={<Button look="primary">Create API key</Button>}
    >
      <form
        className="space-y-4"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const key = await api<NewKey>('POST', accountPath(accountId, '/keys'), { name: name.trim(), scopes, test, expires_at: expiryOf(expires) });
            setOpen(false);
            reset();
            onCreated(key);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="Name" required maxLength={100} placeholder="Production server" value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
        <fieldset>
          <legend className="text-sm font-medium">Scopes</legend>
          <p className="text-xs text-zinc-500">What the key may do; a route outside them answers 403.</p>
          <div className="mt-2 grid gap-2 sm:grid-cols-2">
            {SCOPES.map(({ scope, grants }) => (
              <div key={scope}>
                <Checkbox
                  label={scope}
                  checked={scopes.includes(scope)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
                />
                <p className="ml-6 text-xs text-zinc-500">{grants}</p>
              </div>
            ))}
          </div>
        </fieldset>
        <Field label="Expires" type="datetime-local" hint="Optional, in your time zone; without one the key works until it is revoked." value={expires} onChange={(e) => setExpires(e.target.value)} error={fieldError('expires_at')} />
        <div className="flex items-start gap-2">
          <input id={testId} type="checkbox" className="mt-0.5 size-4 rounded border-zinc-300 accent-indigo-600" checked={test} onChange={(e) => setTest(e.target.checked)} />
          <label htmlFor={testId} className="text-sm">
            Test key <span className="text-zinc-500">(a <code>cs_test_</code> key: simulated channels only, never charged)</span>
          </label>
        </div>
        <ErrorNote error={error} />
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <Button>Cancel</Button>
          </DialogClose>
          <Button type="submit" look="primary" busy={busy} disabled={!name.trim() || scopes.length === 0}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

const OVERLAPS = [
  { label: 'Stop at once', seconds: 0 },
  { label: '1 hour', seconds: 3600 },
  { label: '24 hours', seconds: 86400 },
  { label: '7 days', seconds: 7 * 86400 },
];

/** "Rotate": a new key with the same settings; the old one keeps working for the chosen overlap. */
function RotateDialog({ k, accountId, onRotated }: { k: ApiKey; accountId: string; onRotated: (key: NewKey, previous: ApiKey, overlapSeconds: number) => void }) {
  const [open, setOpen] = useState(false);
  const [overlap, setOverlap] = useState(86400);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog
      title={`Rotate ${k.name}?`}
      description="A new key with the same name, scopes, mode and limits is made and shown once. Deploy it, then let the old one run out."
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
      }}
      trigger={<Button>Rotate</Button>}
    >
      <Select label="The old key keeps working for" value={overlap} onChange={(e) => setOverlap(Number(e.target.value))}>
        {OVERLAPS.map((o) => (
          <option key={o.seconds} value={o.seconds}>
            {o.label}
          </option>
        ))}
      </Select>
      <ErrorNote error={error} />
      <div className="mt-4 flex justify-end gap-2">
        <DialogClose asChild>
          <Button>Cancel</Button>
        </DialogClose>
        <Button
          look="primary"
          busy={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              const r = await api<{ key: NewKey; previous: ApiKey }>('POST', accountPath(accountId, `/keys/${encodeURIComponent(k.id)}/rotate`), { overlap_seconds: overlap });
              setOpen(false);
              onRotated(r.key, r.previous, overlap);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          Rotate key
        </Button>
      </div>
    </Dialog>
  );
}
