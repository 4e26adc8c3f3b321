/** Every page of the dashboard, declared in code, under /dashboard/. */
import { createRootRoute, createRoute, createRouter, Outlet, redirect } from '@tanstack/react-router';
import { queryClient } from './lib/query.ts';
import { fetchMe, ME_KEY, type Me } from './lib/session.ts';
import { AccountShell, AdminShell, Home, SignedInShell } from './shell.tsx';
import { AcceptInvitationPage } from './pages/auth/accept-invitation.tsx';
import { LoginPage } from './pages/auth/login.tsx';
import { ResetPasswordPage } from './pages/auth/reset-password.tsx';
import { SetupPage } from './pages/auth/setup.tsx';
import { SignupPage } from './pages/auth/signup.tsx';
import { VerifyEmailPage } from './pages/auth/verify-email.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { OverviewPage } from './pages/account/overview.tsx';
import { KeysPage } from './pages/account/keys.tsx';
import { WebhooksPage } from './pages/account/webhooks.tsx';
import { WebhookPage } from './pages/account/webhook.tsx';
import { AllowlistPage } from './pages/account/allowlist.tsx';
import { SuppressionsPage } from './pages/account/suppressions.tsx';
import { AdminNumbersPage } from './pages/admin/numbers.tsx';
import { SendersPage } from './pages/account/senders.tsx';
import { MessagesPage } from './pages/account/messages.tsx';
import { MessagePage } from './pages/account/message.tsx';
import { CampaignPage } from './pages/account/campaign.tsx';
import { UsagePage } from './pages/account/usage.tsx';
import { BillingPage } from './pages/account/billing.tsx';
import { LookupsPage } from './pages/account/lookups.tsx';
import { NumbersPage } from './pages/account/numbers.tsx';
import { ReceivedMailPage } from './pages/account/received-mail.tsx';
import { SandboxPage } from './pages/account/sandbox.tsx';
import { MembersPage } from './pages/account/members.tsx';
import { AuditPage } from './pages/account/audit.tsx';
import { AdminAccountsPage } from './pages/admin/accounts.tsx';
import { AdminAccountPage } from './pages/admin/account.tsx';
import { AdminSendersPage } from './pages/admin/senders.tsx';
import { AdminPricesPage } from './pages/admin/prices.tsx';
import { AdminNetworkPage } from './pages/admin/network.tsx';
import { AdminUsersPage } from './pages/admin/users.tsx';

/** Query-string values as strings (filters, tokens); pages read what they know. */
export type Search = Record<string, string | undefined>;
const looseSearch = (s: Record<string, unknown>): Search =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v === undefined || v === null ? undefined : String(v)]));

const rootRoute = createRootRoute({ component: Outlet, validateSearch: looseSearch });

const publicPage = <P extends string>(path: P, component: () => React.ReactNode) => createRoute({ getParentRoute: () => rootRoute, path, component });

// Signed-in pages send people who are not signed in to the log-in page, and back afterwards.
const signedIn = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  component: SignedInShell,
  beforeLoad: async ({ location }) => {
    const me = await queryClient.ensureQueryData({ queryKey: ME_KEY, queryFn: fetchMe });
    if (!me) throw redirect({ to: '/login', search: { next: location.href }, replace: true });
  },
});
/** The signed-in person (the signed-in route has just fetched them). */
const me = () => queryClient.getQueryData<Me | null>(ME_KEY);

// "/" leads to the first account's overview, or the admin console, or a word on having none.
const home = createRoute({
  getParentRoute: () => signedIn,
  path: '/',
  component: Home,
  beforeLoad: () => {
    const first = me()?.accounts[0];
    if (first) throw redirect({ to: '/accounts/$accountId', params: { accountId: first.id }, replace: true });
    if (me()?.user.operator) throw redirect({ to: '/admin', replace: true });
  },
});
const settings = createRoute({ getParentRoute: () => signedIn, path: '/settings', component: SettingsPage });

const account = createRoute({ getParentRoute: () => signedIn, path: '/accounts/$accountId', component: AccountShell });
const accountPage = <P extends string>(path: P, component: () => React.ReactNode) => createRoute({ getParentRoute: () => account, path, component });

// Only operators reach the admin console (the API answers 403 to anyone else).
const admin = createRoute({
  getParentRoute: () => signedIn,
  path: '/admin',
  component: AdminShell,
  beforeLoad: () => {
    if (!me()?.user.operator) throw redirect({ to: '/', replace: true });
  },
});
const adminPage = <P extends string>(path: P, component: () => React.ReactNode) => createRoute({ getParentRoute: () => admin, path, component });

const routeTree = rootRoute.addChildren([
  publicPage('/login', LoginPage),
  publicPage('/setup', SetupPage),
  publicPage('/signup', SignupPage),
  publicPage('/verify-email', VerifyEmailPage),
  publicPage('/reset-password', ResetPasswordPage),
  publicPage('/accept-invitation', AcceptInvitationPage),
  signedIn.addChildren([
    home,
    settings,
    account.addChildren([
      accountPage('/', OverviewPage),
      accountPage('/keys', KeysPage),
      accountPage('/webhooks', WebhooksPage),
      accountPage('/webhooks/$webhookId', WebhookPage),
      accountPage('/allowlist', AllowlistPage),
      accountPage('/senders', SendersPage),
      accountPage('/messages', MessagesPage),
      accountPage('/messages/$messageId', MessagePage),
      accountPage('/campaigns/$campaignId', CampaignPage),
      accountPage('/suppressions', SuppressionsPage),
      accountPage('/numbers', NumbersPage),
      accountPage('/received-mail', ReceivedMailPage),
      accountPage('/usage', UsagePage),
      accountPage('/billing', BillingPage),
      accountPage('/lookups', LookupsPage),
      accountPage('/sandbox', SandboxPage),
      accountPage('/members', MembersPage),
      accountPage('/audit', AuditPage),
    ]),
    admin.addChildren([
      adminPage('/', AdminAccountsPage),
      adminPage('/accounts/$accountId', AdminAccountPage),
      adminPage('/senders', AdminSendersPage),
      adminPage('/prices', AdminPricesPage),
      adminPage('/network', AdminNetworkPage),
      adminPage('/numbers', AdminNumbersPage),
      adminPage('/users', AdminUsersPage),
    ]),
  ]),
]);

/** The app's router: paths are relative to /dashboard. */
export const router = createRouter({ routeTree, basepath: '/dashboard', defaultPreload: false, scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
