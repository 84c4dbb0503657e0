import type { RouteObject } from 'react-router';

/** The settings area: tenant configuration (admins) and the org and staff (admins, dealer managers). */
export const settingsRoutes: RouteObject[] = [
  { path: 'settings/sources', lazy: () => import('./sources/sources-page').then((m) => ({ Component: m.SourcesPage })) },
  { path: 'settings/connectors', lazy: () => import('./connectors/connectors-page').then((m) => ({ Component: m.ConnectorsPage })) },
  { path: 'settings/identity', lazy: () => import('./identity/identity-page').then((m) => ({ Component: m.IdentityPage })) },
  { path: 'settings/stages', lazy: () => import('./stages/stages-page').then((m) => ({ Component: m.StagesPage })) },
  { path: 'settings/stages/:key', lazy: () => import('./stages/stage-model-page').then((m) => ({ Component: m.StageModelPage })) },
  { path: 'settings/org', lazy: () => import('./org/org-page').then((m) => ({ Component: m.OrgPage })) },
  { path: 'settings/staff', lazy: () => import('./staff/staff-page').then((m) => ({ Component: m.StaffPage })) },
  { path: 'settings/audit', lazy: () => import('./audit/audit-page').then((m) => ({ Component: m.AuditPage })) },
];
