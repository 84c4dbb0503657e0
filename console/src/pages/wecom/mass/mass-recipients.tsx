import { useQuery } from '@tanstack/react-query';
import { Select, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect } from 'react';
import { Link } from 'react-router';
import {
  MASS_RECIPIENT_STATUSES,
  MASS_SKIP_REASONS,
  wecomMassRecipientsSchema,
  type MassRecipientStatus,
  type MassSkipReason,
  type WecomMassRecipients,
} from '@contracts/wecom-mass';
import { api } from '../../../api/client';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { CursorPager, useCursorPages } from '../../../components/cursor-pager';
import { wecomShared } from '../shared/messages';
import { staffLabel, useStaffById } from '../shared/refs';
import { messages } from './messages';
import { RecipientStatusTag } from './vocab';

type Recipient = WecomMassRecipients['data'][number];

export interface RecipientFilters {
  status?: MassRecipientStatus;
  reason?: MassSkipReason;
  wecomUserId?: string;
}

const PAGE_SIZE = 50;

/** A task's recipients, filtered and paged by the server. */
export function MassRecipients({
  taskId,
  filters,
  onFilters,
  consultants,
  live,
}: {
  taskId: string;
  filters: RecipientFilters;
  onFilters: (f: RecipientFilters) => void;
  consultants: string[];
  live: boolean;
}) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const f = useFormat();
  const staff = useStaffById();
  const pages = useCursorPages();
  const { reset } = pages;
  useEffect(() => reset(), [filters, reset]);
  const recipients = useQuery({
    queryKey: ['wecom', 'mass-recipients', taskId, filters, pages.cursor],
    queryFn: () => api.get(`/api/v1/wecom/mass-messages/${taskId}/recipients`, wecomMassRecipientsSchema, { query: { ...filters, limit: PAGE_SIZE, cursor: pages.cursor } }),
    refetchInterval: live ? 15_000 : false,
  });

  const columns: ColumnsType<Recipient> = [
    {
      title: t('profile'),
      dataIndex: 'profileId',
      width: 150,
      render: (id: string) => (
        <Link to={`/customers/${id}`} title={id}>
          {ts('openProfile')}
        </Link>
      ),
    },
    { title: t('externalUserid'), dataIndex: 'externalUserid', width: 220, ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
    {
      title: ts('consultant'),
      key: 'consultant',
      width: 180,
      render: (_, r) => (r.wecomUserId ? staffLabel(r.staffId ? staff.get(r.staffId) : undefined, r.wecomUserId) : '—'),
    },
    { title: t('status'), dataIndex: 'status', width: 110, render: (s: MassRecipientStatus) => <RecipientStatusTag status={s} /> },
    { title: t('reason'), dataIndex: 'reason', width: 150, render: (r: MassSkipReason | null) => (r ? t(`reason.${r}`) : '—') },
    { title: t('wecomStatus'), dataIndex: 'wecomStatus', width: 100, align: 'right', render: (v: number | null) => v ?? '—' },
    { title: t('sentAt'), dataIndex: 'sentAt', width: 150, render: (v: string | null) => f.dateTime(v) },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select<MassRecipientStatus>
          allowClear
          style={{ width: 160 }}
          placeholder={t('allStatuses')}
          aria-label={t('status')}
          value={filters.status}
          onChange={(status) => onFilters({ ...filters, status })}
          options={MASS_RECIPIENT_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        <Select<MassSkipReason>
          allowClear
          style={{ width: 180 }}
          placeholder={t('allReasons')}
          aria-label={t('reason')}
          value={filters.reason}
          onChange={(reason) => onFilters({ ...filters, reason })}
          options={MASS_SKIP_REASONS.map((r) => ({ value: r, label: t(`reason.${r}`) }))}
        />
        <Select<string>
          allowClear
          showSearch
          style={{ width: 220 }}
          placeholder={t('allConsultants')}
          aria-label={ts('consultant')}
          value={filters.wecomUserId}
          onChange={(wecomUserId) => onFilters({ ...filters, wecomUserId })}
          options={consultants.map((id) => ({ value: id, label: id }))}
        />
      </Space>
      <QueryState query={recipients}>
        {(data) => (
          <>
            <Table<Recipient>
              rowKey="profileId"
              size="small"
              columns={columns}
              dataSource={data.data}
              pagination={false}
              scroll={{ x: 1060 }}
              locale={{ emptyText: <EmptyState /> }}
            />
            <CursorPager pages={pages} nextCursor={data.nextCursor} variant="arrows" withPageSize={false} />
          </>
        )}
      </QueryState>
    </Space>
  );
}
