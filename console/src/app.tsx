import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider, Skeleton, App as AntApp } from 'antd';
// The ES builds of the locales: the CommonJS ones arrive under Vite as a module object, not the locale.
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, type RouteObject } from 'react-router';
import { ApiError } from './api/client';
import { SessionProvider, useMeQuery } from './auth/session';
import { ErrorState } from './components/page-state';
import { LocaleProvider, type Locale } from './i18n';
import { useLocalLocale } from './i18n/local';
import { Shell } from './layout/shell';
import { homeFor } from './layout/nav';
import { LoginPage } from './pages/login/login-page';
import { areaRoutes } from './pages/routes';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

/** Pages below need a signed-in staff member; without one, the sign-in page, then back here. */
function RequireSession() {
  const me = useMeQuery();
  const location = useLocation();
  const [, setLocalLocale] = useLocalLocale();
  const serverLocale = me.data?.locale;
  useEffect(() => {
    if (serverLocale) setLocalLocale(serverLocale);
  }, [serverLocale, setLocalLocale]);
  if (me.isPending) return <Skeleton active style={{ padding: 24 }} />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <SessionProvider me={me.data}>
      <Outlet />
    </SessionProvider>
  );
}

function HomeRedirect() {
  const me = useMeQuery();
  return me.data ? <Navigate to={homeFor(me.data.role)} replace /> : null;
}

/** Lazy routes render a skeleton while their code loads on the first navigation. */
function withFallback(routes: RouteObject[]): RouteObject[] {
  return routes.map((route) => {
    const children = route.children ? withFallback(route.children) : undefined;
    const next = route.lazy ? { ...route, hydrateFallbackElement: <Skeleton active style={{ padding: 24 }} /> } : { ...route };
    if (children) next.children = children;
    return next;
  });
}

const router = createBrowserRouter(withFallback([
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireSession />,
    children: [
      { path: '/sidebar', lazy: () => import('./pages/sidebar/sidebar-page').then((m) => ({ Component: m.SidebarPage })) },
      { path: '/home', element: <HomeRedirect /> },
      { element: <Shell />, children: areaRoutes },
    ],
  },
]));

/**
 * Ant Design's defaults, darkened where small text on white or on the colour's pale background falls
 * short of WCAG AA (4.5:1): the primary blue (#1677ff is 4.1:1), the status colours, and the
 * tertiary, description and placeholder greys.
 */
const THEME = {
  token: {
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorError: '#cf1322',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    borderRadius: 6,
  },
};

function Localized({ locale, children }: { locale: Locale; children: ReactNode }) {
  useEffect(() => {
    dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <LocaleProvider locale={locale}>
      <ConfigProvider locale={locale === 'zh-CN' ? zhCN : enUS} theme={THEME}>
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </LocaleProvider>
  );
}

function WithLocale() {
  const [locale] = useLocalLocale();
  return (
    <Localized locale={locale}>
      <RouterProvider router={router} />
    </Localized>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <WithLocale />
    </QueryClientProvider>
  );
}

