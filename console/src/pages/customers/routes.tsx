import type { RouteObject } from 'react-router';

export const customerRoutes: RouteObject[] = [
  { path: 'customers', lazy: () => import('./customer-search-page').then((m) => ({ Component: m.CustomerSearchPage })) },
  { path: 'customers/:id', lazy: () => import('./customer-page').then((m) => ({ Component: m.CustomerPage })) },
];
