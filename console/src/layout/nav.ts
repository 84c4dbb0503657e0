import type { StaffRole } from '../auth/session';
import { defineMessages } from '../i18n';

export const navMessages = defineMessages({
  'zh-CN': {
    overview: '运营总览',
    customers: '客户',
    audiences: '人群与标签',
    segments: '人群',
    tags: '标签',
    leads: '线索',
    leadList: '线索列表',
    approvals: '战败审批',
    pool: '线索公海',
    leaderboard: '排行榜',
    leadImport: '导入线索',
    wecom: '企业微信',
    codes: '渠道活码',
    welcome: '欢迎语',
    mass: '群发任务',
    transfers: '客户继承',
    churn: '流失客户',
    settings: '设置',
    sources: '数据源与密钥',
    connectors: '连接器',
    identity: '身份规则',
    stages: '阶段模型',
    org: '组织架构',
    staff: '员工',
    audit: '审计日志',
  },
  en: {
    overview: 'Overview',
    customers: 'Customers',
    audiences: 'Segments & tags',
    segments: 'Segments',
    tags: 'Tags',
    leads: 'Leads',
    leadList: 'Leads',
    approvals: 'Defeat approvals',
    pool: 'Lead pool',
    leaderboard: 'Leaderboards',
    leadImport: 'Import leads',
    wecom: 'WeCom',
    codes: 'Channel codes',
    welcome: 'Welcome messages',
    mass: 'Mass messages',
    transfers: 'Transfers',
    churn: 'Churn',
    settings: 'Settings',
    sources: 'Sources & keys',
    connectors: 'Connectors',
    identity: 'Identity rules',
    stages: 'Stage models',
    org: 'Organisation',
    staff: 'Staff',
    audit: 'Audit log',
  },
});

export type NavKey = keyof (typeof navMessages)['en'];

export interface NavItem {
  key: NavKey;
  path?: string;
  /** Roles the page has something for; the API still decides what each of them may see. */
  roles: readonly StaffRole[];
  children?: NavItem[];
}

const HQ: readonly StaffRole[] = ['admin', 'hq_ops', 'analyst'];
const MANAGERS: readonly StaffRole[] = ['admin', 'hq_ops', 'analyst', 'dealer_manager'];
const EVERYONE: readonly StaffRole[] = ['admin', 'hq_ops', 'analyst', 'dealer_manager', 'consultant', 'service_advisor'];
const WECOM: readonly StaffRole[] = ['admin', 'hq_ops', 'dealer_manager'];

export const NAV: NavItem[] = [
  { key: 'overview', path: '/', roles: MANAGERS },
  { key: 'customers', path: '/customers', roles: EVERYONE },
  {
    key: 'audiences',
    roles: HQ,
    children: [
      { key: 'segments', path: '/segments', roles: HQ },
      { key: 'tags', path: '/tags', roles: HQ },
    ],
  },
  {
    key: 'leads',
    roles: EVERYONE,
    children: [
      { key: 'leadList', path: '/leads', roles: EVERYONE },
      { key: 'approvals', path: '/leads/approvals', roles: ['admin', 'hq_ops', 'dealer_manager'] },
      { key: 'pool', path: '/leads/pool', roles: ['admin', 'hq_ops', 'dealer_manager', 'consultant'] },
      { key: 'leaderboard', path: '/leads/leaderboard', roles: MANAGERS },
      { key: 'leadImport', path: '/leads/import', roles: ['admin', 'hq_ops', 'dealer_manager'] },
    ],
  },
  {
    key: 'wecom',
    roles: WECOM,
    children: [
      { key: 'codes', path: '/wecom/codes', roles: WECOM },
      { key: 'welcome', path: '/wecom/welcome', roles: WECOM },
      { key: 'mass', path: '/wecom/mass', roles: WECOM },
      { key: 'transfers', path: '/wecom/transfers', roles: WECOM },
      { key: 'churn', path: '/wecom/churn', roles: WECOM },
    ],
  },
  {
    key: 'settings',
    roles: ['admin', 'dealer_manager'],
    children: [
      { key: 'sources', path: '/settings/sources', roles: ['admin'] },
      { key: 'connectors', path: '/settings/connectors', roles: ['admin'] },
      { key: 'identity', path: '/settings/identity', roles: ['admin'] },
      { key: 'stages', path: '/settings/stages', roles: ['admin'] },
      { key: 'org', path: '/settings/org', roles: ['admin', 'dealer_manager'] },
      { key: 'staff', path: '/settings/staff', roles: ['admin', 'dealer_manager'] },
      { key: 'audit', path: '/settings/audit', roles: ['admin'] },
    ],
  },
];

/** The items a role sees, groups without visible children dropped. */
export function navFor(role: StaffRole, items: NavItem[] = NAV): NavItem[] {
  const out: NavItem[] = [];
  for (const item of items) {
    if (!item.roles.includes(role)) continue;
    if (item.children) {
      const children = navFor(role, item.children);
      if (children.length > 0) out.push({ ...item, children });
    } else {
      out.push(item);
    }
  }
  return out;
}

/** Where a role lands after sign-in: the first page it has. */
export function homeFor(role: StaffRole): string {
  const first = navFor(role)[0];
  return first?.path ?? first?.children?.[0]?.path ?? '/customers';
}
