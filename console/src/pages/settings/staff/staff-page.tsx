import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Flex, Select, Skeleton, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { STAFF_ROLES } from '@contracts/org';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, ErrorState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useOrgUnits } from '../org/api';
import { UnitTreeSelect } from '../org/unit-tree-select';
import { useNotify } from '../shared/notify';
import { PageHeader } from '../shared/page-header';
import { useStaffList, useUpdateStaff, type Role, type Staff } from './api';
import { messages } from './messages';
import { PasswordModal } from './password-modal';
import { StaffActions } from './staff-actions';
import { StaffForm } from './staff-form';

const isRole = (v: string | null): v is Role => STAFF_ROLES.some((r) => r === v);

/** Staff filtered by unit and role on the server; the filters live in the URL (?unit=&role=). */
export function StaffPage() {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const me = useMe();
  const notify = useNotify();
  // Admins manage everyone; dealer managers the consultants and service advisors of their units (the API decides).
  const manages = (s: Staff) => hasRole(me, ['admin']) || (s.role === 'consultant' || s.role === 'service_advisor');
  const [params, setParams] = useSearchParams();
  const unit = params.get('unit') ?? undefined;
  const rawRole = params.get('role');
  const role = isRole(rawRole) ? rawRole : undefined;
  const staff = useStaffList({ orgUnitCode: unit, role });
  const units = useOrgUnits();
  const update = useUpdateStaff();
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Staff | null>(null);
  const [passwordFor, setPasswordFor] = useState<Staff | null>(null);
  const unitList = units.data?.data ?? [];
  const unitName = (code: string) => unitList.find((u) => u.code === code)?.name ?? code;

  const setFilter = (key: 'unit' | 'role', value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const setActive = (s: Staff, active: boolean) =>
    update.mutateAsync({ id: s.id, body: { active } }).then(() => notify.success(active ? t('activated') : t('deactivated')), notify.error);

  const columns: ColumnsType<Staff> = [
    { title: t('name'), dataIndex: 'name', width: 120, fixed: 'left', render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
    { title: t('username'), dataIndex: 'username', width: 170, ellipsis: { showTitle: true } },
    { title: t('role'), dataIndex: 'role', width: 120, render: (r: Role) => <Tag>{c(`role.${r}`)}</Tag> },
    {
      title: t('unit'),
      dataIndex: 'orgUnitCode',
      width: 200,
      ellipsis: { showTitle: false },
      render: (code: string) => (
        <Typography.Text ellipsis={{ tooltip: `${unitName(code)} · ${code}` }}>
          {unitName(code)}
          <Typography.Text type="secondary">{` · ${code}`}</Typography.Text>
        </Typography.Text>
      ),
    },
    { title: t('phone'), dataIndex: 'phone', width: 140, render: (v: string | null) => v ?? '—' },
    { title: t('wecomUserId'), dataIndex: 'wecomUserId', width: 170, ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
    {
      title: t('status'),
      key: 'status',
      width: 170,
      render: (_: unknown, s) =>
        !s.active ? (
          <Badge status="default" text={t('inactive')} />
        ) : s.lockedUntil && Date.parse(s.lockedUntil) > Date.now() ? (
          <Badge status="warning" text={t('lockedUntil', { at: f.dateTime(s.lockedUntil) })} />
        ) : (
          <Badge status="success" text={t('active')} />
        ),
    },
    { title: t('lastLoginAt'), dataIndex: 'lastLoginAt', width: 150, render: (at: string | null) => (at ? f.dateTime(at) : t('never')) },
    {
      title: c('actions'),
      key: 'actions',
      width: 250,
      fixed: 'right',
      render: (_: unknown, s) =>
        manages(s) ? (
          <StaffActions
            staff={s}
            onEdit={() => {
              setEditing(s);
              setFormOpen(true);
            }}
            onPassword={() => setPasswordFor(s)}
            onActive={(active) => setActive(s, active)}
          />
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
          >
            {t('newStaff')}
          </Button>
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <UnitTreeSelect
            units={unitList}
            loading={units.isPending}
            value={unit}
            onChange={(v) => setFilter('unit', v)}
            allowClear
            placeholder={t('filterUnitAll')}
            ariaLabel={t('filterUnit')}
            style={{ width: 280 }}
          />
          <Select<Role>
            allowClear
            aria-label={t('filterRole')}
            placeholder={t('filterRoleAll')}
            value={role}
            onChange={(v) => setFilter('role', v)}
            options={STAFF_ROLES.map((r) => ({ value: r, label: c(`role.${r}`) }))}
            style={{ width: 180 }}
          />
        </Flex>
        {staff.isError ? (
          <ErrorState error={staff.error} onRetry={() => void staff.refetch()} />
        ) : staff.isPending ? (
          <Skeleton active />
        ) : (
          <Table<Staff>
            data-testid="settings-staff-table"
            rowKey="id"
            loading={staff.isFetching}
            columns={columns}
            dataSource={staff.data?.data ?? []}
            locale={{ emptyText: <EmptyState description={t('empty')} /> }}
            scroll={{ x: 1500 }}
            pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (n) => t('total', { n }), locale: { items_per_page: t('perPage') } }}
          />
        )}
      </Card>
      <StaffForm
        open={formOpen}
        editing={editing}
        units={unitList}
        defaultUnit={unit}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false);
          notify.success(editing ? t('saved') : t('created'));
        }}
      />
      <PasswordModal
        staff={passwordFor}
        onClose={() => setPasswordFor(null)}
        onDone={() => {
          setPasswordFor(null);
          notify.success(t('passwordSet'));
        }}
      />
    </>
  );
}
