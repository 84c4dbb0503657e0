import type { RouteObject } from 'react-router';

export const wecomRoutes: RouteObject[] = [
  { path: 'wecom/codes', lazy: () => import('./codes/codes-page').then((m) => ({ Component: m.CodesPage })) },
  { path: 'wecom/codes/:id', lazy: () => import('./codes/code-page').then((m) => ({ Component: m.CodePage })) },
  { path: 'wecom/welcome', lazy: () => import('./welcome/welcome-page').then((m) => ({ Component: m.WelcomePage })) },
  { path: 'wecom/mass', lazy: () => import('./mass/mass-page').then((m) => ({ Component: m.MassPage })) },
  { path: 'wecom/mass/:id', lazy: () => import('./mass/mass-task-page').then((m) => ({ Component: m.MassTaskPage })) },
  { path: 'wecom/transfers', lazy: () => import('./transfers/transfers-page').then((m) => ({ Component: m.TransfersPage })) },
  { path: 'wecom/churn', lazy: () => import('./churn/churn-page').then((m) => ({ Component: m.ChurnPage })) },
];
