import type { RouteObject } from 'react-router';
import { customerRoutes } from './customers/routes';
import { leadRoutes } from './leads/routes';
import { overviewRoutes } from './overview/routes';
import { segmentRoutes } from './segments/routes';
import { settingsRoutes } from './settings/routes';
import { wecomRoutes } from './wecom/routes';
import { NotFoundPage } from './not-found';

/** Every page inside the console's frame; each area loads its pages on first visit. */
export const areaRoutes: RouteObject[] = [...overviewRoutes, ...customerRoutes, ...segmentRoutes, ...leadRoutes, ...wecomRoutes, ...settingsRoutes, { path: '*', element: <NotFoundPage /> }];
