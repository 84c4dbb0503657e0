import type { RouteObject } from 'react-router';

export const overviewRoutes: RouteObject[] = [{ index: true, lazy: () => import('./overview-page').then((m) => ({ Component: m.OverviewPage })) }];
