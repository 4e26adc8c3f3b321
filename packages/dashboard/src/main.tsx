/** The dashboard's entry: React Query for API state, the router for pages. */
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { whenSignedOut } from './lib/api.ts';
import { queryClient } from './lib/query.ts';
import { ME_KEY } from './lib/session.ts';
import { router } from './router.tsx';
import './styles.css';


// A session that ends (logged out elsewhere, expired) sends the person back to the log-in page.
whenSignedOut(() => {
  queryClient.setQueryData(ME_KEY, null);
  const here = window.location.pathname.replace(/^\/dashboard/, '') + window.location.search;
  void router.navigate({ to: '/login', search: { next: here } });
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
