import type { RouteObject } from 'react-router';

/** The leads area; the fixed paths come before `leads/:id` so that they are never read as an id. */
export const leadRoutes: RouteObject[] = [
  { path: 'leads', lazy: () => import('./leads-page').then((m) => ({ Component: m.LeadsPage })) },
  { path: 'leads/approvals', lazy: () => import('./approvals-page').then((m) => ({ Component: m.ApprovalsPage })) },
  { path: 'leads/pool', lazy: () => import('./pool-page').then((m) => ({ Component: m.PoolPage })) },
  { path: 'leads/leaderboard', lazy: () => import('./leaderboard-page').then((m) => ({ Component: m.LeaderboardPage })) },
  { path: 'leads/import', lazy: () => import('./import-page').then((m) => ({ Component: m.ImportPage })) },
  { path: 'leads/:id', lazy: () => import('./lead-page').then((m) => ({ Component: m.LeadPage })) },
];
