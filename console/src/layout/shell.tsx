import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown, Layout, Menu, Segmented, Space, Typography } from 'antd';
import type { ItemType } from 'antd/es/menu/interface';
import { Suspense } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useMe, useSetLocale, useSignOut } from '../auth/session';
import { common } from '../i18n/common';
import { isLocale, useLocale, useT, type Locale } from '../i18n';
import { navFor, navMessages, type NavItem } from './nav';
import { Skeleton } from 'antd';

const { Header, Sider, Content } = Layout;

/** The menu key of a path: the longest nav path it starts with. */
function selectedKey(pathname: string, items: NavItem[]): string {
  let best = '/';
  const visit = (list: NavItem[]) => {
    for (const item of list) {
      if (item.path && (pathname === item.path || (item.path !== '/' && pathname.startsWith(`${item.path}/`))) && item.path.length >= best.length) best = item.path;
      if (item.children) visit(item.children);
    }
  };
  visit(items);
  return best;
}

export function LanguageSwitch() {
  const locale = useLocale();
  const setLocale = useSetLocale();
  const t = useT(common);
  return (
    <Segmented<Locale>
      aria-label={t('language')}
      size="small"
      value={locale}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'EN', value: 'en' },
      ]}
      onChange={(value) => {
        if (isLocale(value)) setLocale.mutate(value);
      }}
    />
  );
}

export function Shell() {
  const me = useMe();
  const t = useT(common);
  const tn = useT(navMessages);
  const navigate = useNavigate();
  const location = useLocation();
  const signOut = useSignOut();
  const items = navFor(me.role);
  const toMenu = (list: NavItem[]): ItemType[] =>
    list.map((item) =>
      item.children ? { key: `group:${item.key}`, label: tn(item.key), children: toMenu(item.children) } : { key: item.path ?? item.key, label: tn(item.key) },
    );
  const selected = selectedKey(location.pathname, items);
  const openGroups = items.filter((i) => i.children?.some((c) => c.path === selected)).map((i) => `group:${i.key}`);
  const name = me.staff?.name ?? me.actor;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider width={208} theme="light" breakpoint="lg" collapsedWidth={64} style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', fontWeight: 600, fontSize: 16, color: '#0958d9', whiteSpace: 'nowrap', overflow: 'hidden' }}>
          {t('appName')}
        </div>
        <Menu
          mode="inline"
          selectedKeys={[selected]}
          defaultOpenKeys={openGroups}
          items={toMenu(items)}
          onClick={({ key }) => {
            if (key.startsWith('/')) void navigate(key);
          }}
        />
      </Sider>
      <Layout>
        <Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0', height: 56 }}>
          <Space size="middle">
            <LanguageSwitch />
            <Dropdown
              menu={{
                items: [{ key: 'signout', icon: <LogoutOutlined />, label: t('signOut') }],
                onClick: () => signOut.mutate(undefined, { onSettled: () => void navigate('/login') }),
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                <Typography.Text>{name}</Typography.Text>
                <Typography.Text type="secondary">{t(`role.${me.role}`)}</Typography.Text>
              </Button>
            </Dropdown>
          </Space>
        </Header>
        <Content style={{ padding: 24, minWidth: 0 }}>
          <Suspense fallback={<Skeleton active />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}
