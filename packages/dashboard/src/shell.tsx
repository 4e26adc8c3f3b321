/** The frame around signed-in pages: the top bar, the account switcher, the navigation. */
import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { useRef, type ReactNode } from 'react';
import { api, setCsrfToken } from './lib/api.ts';
import { useAccount, useAccountId, useCanRead } from './lib/account.ts';
import { useMe } from './lib/session.ts';
import { Button } from './ui/button.tsx';
import { ErrorNote, Loading } from './ui/feedback.tsx';

/** Signed-in pages' frame (the route's beforeLoad has already sent signed-out people to log in). */
export function SignedInShell() {
  const me = useMe();
  if (me.error) return <ErrorNote error={me.error} />;
  if (me.isPending) return <Loading what="Loading Hellio" />;
  if (!me.data) return <Loading what="Signing out" />;
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-1 dark:focus:bg-zinc-900">
        Skip to content
      </a>
      <TopBar />
      <Outlet />
    </div>
  );
}

function TopBar() {
  const me = useMe().data!;
  const qc = useQueryClient();
  const navigate = useNavigate();
  // Pages without an account in their address (Settings) keep showing the last one chosen.
  const last = useRef('');
  const here = useAccountId();
  if (here) last.current = here;
  const accountId = here || last.current || (me.accounts[0]?.id ?? '');
  return (
    <header className="flex flex-wrap items-center gap-3 border-b border-zinc-200 bg-white px-4 py-2 dark:border-zinc-800 dark:bg-zinc-900">
      <Link to="/" className="text-lg font-bold text-indigo-700 dark:text-indigo-300">
        Hellio
      </Link>
      {me.accounts.length > 0 && (
        <label className="flex items-center gap-2 text-sm">
          <span>Account</span>
          <select
            className="rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            value={me.accounts.some((a) => a.id === accountId) ? accountId : ''}
            onChange={(e) => void navigate({ to: '/accounts/$accountId', params: { accountId: e.target.value } })}
          >
            {!me.accounts.some((a) => a.id === accountId) && <option value="">Choose…</option>}
            {me.accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.role})
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="ml-auto flex items-center gap-2 text-sm">
        <span className="hidden text-zinc-500 sm:inline">{me.user.email}</span>
        <Link to="/settings" className="rounded px-2 py-1 hover:bg-zinc-100 dark:hover:bg-zinc-800">
          Settings
        </Link>
        <Button
          look="ghost"
          onClick={async () => {
            await api('POST', '/auth/logout').catch(() => undefined);
            setCsrfToken(null);
            qc.clear();
            await navigate({ to: '/login' });
          }}
        >
          Log out
        </Button>
      </div>
    </header>
  );
}

/** What "/" shows to someone with no account (the route sends everyone else on). */
export function Home() {
  return (
    <main id="main" className="mx-auto max-w-xl p-6">
      <h1 className="text-xl font-semibold">No account yet</h1>
      <p className="mt-2 text-sm">You are not a member of any account. Ask an owner to invite you, or an operator to add you.</p>
    </main>
  );
}

function NavItem({ to, params, children, exact = false }: { to: string; params?: Record<string, string>; children: ReactNode; exact?: boolean }) {
  return (
    <Link
      to={to}
      params={params as never}
      activeOptions={{ exact }}
      className="block whitespace-nowrap rounded-md px-3 py-1.5 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800 [&.active]:bg-indigo-50 [&.active]:font-semibold [&.active]:text-indigo-700 dark:[&.active]:bg-zinc-800 dark:[&.active]:text-indigo-300"
    >
      {children}
    </Link>
  );
}

function Frame({ label, nav, children }: { label: string; nav: ReactNode; children: ReactNode }) {
  return (
    <div className="mx-auto flex max-w-7xl flex-col md:flex-row">
      <nav aria-label={label} className="border-b border-zinc-200 p-2 md:w-52 md:shrink-0 md:border-b-0 md:border-r dark:border-zinc-800">
        <div className="flex gap-1 overflow-x-auto md:flex-col">{nav}</div>
      </nav>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 md:p-6">
        {children}
      </main>
    </div>
  );
}

/** An account's pages, with their navigation ("API Keys", "Webhooks", … — SPEC §5's names). */
export function AccountShell() {
  const me = useMe().data!;
  const account = useAccount();
  const canBilling = useCanRead('billing');
  const canMembers = useCanRead('members');
  const canAudit = useCanRead('audit');
  const p = { accountId: account.id };
  const nav = (
    <>
      <NavItem to="/accounts/$accountId" params={p} exact>
        Overview
      </NavItem>
      <NavItem to="/accounts/$accountId/keys" params={p}>API Keys</NavItem>
      <NavItem to="/accounts/$accountId/webhooks" params={p}>Webhooks</NavItem>
      <NavItem to="/accounts/$accountId/allowlist" params={p}>IP Allowlist</NavItem>
      <NavItem to="/accounts/$accountId/senders" params={p}>Senders</NavItem>
      <NavItem to="/accounts/$accountId/messages" params={p}>Messages</NavItem>
      <NavItem to="/accounts/$accountId/suppressions" params={p}>Suppressions</NavItem>
      <NavItem to="/accounts/$accountId/numbers" params={p}>Numbers</NavItem>
      <NavItem to="/accounts/$accountId/received-mail" params={p}>Received mail</NavItem>
      <NavItem to="/accounts/$accountId/usage" params={p}>Usage</NavItem>
      {canBilling && <NavItem to="/accounts/$accountId/billing" params={p}>Billing</NavItem>}
      <NavItem to="/accounts/$accountId/lookups" params={p}>Lookups</NavItem>
      <NavItem to="/accounts/$accountId/sandbox" params={p}>Sandbox</NavItem>
      {canMembers && <NavItem to="/accounts/$accountId/members" params={p}>Members</NavItem>}
      {canAudit && <NavItem to="/accounts/$accountId/audit" params={p}>Audit log</NavItem>}
      {me.user.operator && <NavItem to="/admin" exact>Admin</NavItem>}
    </>
  );
  return (
    <Frame label="Account" nav={nav}>
      {account.status !== 'active' && (
        <p role="status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm dark:border-amber-700 dark:bg-amber-950">
          This account is {account.status}: its API keys are refused until an operator activates it.
        </p>
      )}
      <Outlet />
    </Frame>
  );
}

/** The admin console's pages; only operators reach them (the API answers 403 to anyone else). */
export function AdminShell() {
  const me = useMe().data!;
  const first = me.accounts[0];
  const nav = (
    <>
      <NavItem to="/admin" exact>Accounts</NavItem>
      <NavItem to="/admin/senders">Approvals</NavItem>
      <NavItem to="/admin/prices">Prices</NavItem>
      <NavItem to="/admin/network">Routes and providers</NavItem>
      <NavItem to="/admin/numbers">Numbers</NavItem>
      <NavItem to="/admin/users">Users</NavItem>
      {first && <NavItem to="/accounts/$accountId" params={{ accountId: first.id }}>Back to my account</NavItem>}
    </>
  );
  return (
    <Frame label="Admin" nav={nav}>
      <Outlet />
    </Frame>
  );
}
