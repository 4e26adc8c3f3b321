/** The one React Query client of the app: API state shared by every page. */
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api.ts';

/** Shared query client; a 4xx will not change by asking again, a network blip might. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (n, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && n < 2,
      refetchOnWindowFocus: false,
    },
  },
});
