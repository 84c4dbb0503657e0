import type { RouteObject } from 'react-router';

export const segmentRoutes: RouteObject[] = [
  { path: 'segments', lazy: () => import('./segments-page').then((m) => ({ Component: m.SegmentsPage })) },
  { path: 'segments/new', lazy: () => import('./segment-editor-page').then((m) => ({ Component: m.SegmentEditorPage })) },
  { path: 'segments/:id', lazy: () => import('./segment-editor-page').then((m) => ({ Component: m.SegmentEditorPage })) },
  { path: 'tags', lazy: () => import('./tags/tags-page').then((m) => ({ Component: m.TagsPage })) },
];
