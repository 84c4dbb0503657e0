import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { WecomMassDetail } from '@contracts/wecom-mass';
import { EmptyState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { wecomShared } from '../shared/messages';
import { staffLabel, useStaffById } from '../shared/refs';
import { messages } from './messages';

type Share = WecomMassDetail['byConsultant'][number];

/** Each consultant's share of the task: how many customers, and what WeCom reports for them. */
export function MassConsultants({ rows, onPick }: { rows: Share[]; onPick: (wecomUserId: string) => void }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const f = useFormat();
  const staff = useStaffById();
  const n = (v: number) => f.number(v);
  const columns: ColumnsType<Share> = [
    {
      title: ts('consultant'),
      key: 'who',
      width: 200,
      fixed: 'left',
      render: (_, s) => (
        <Typography.Link onClick={() => onPick(s.wecomUserId)}>{staffLabel(s.staffId ? staff.get(s.staffId) : undefined, s.wecomUserId)}</Typography.Link>
      ),
    },
    { title: t('recipientsTotal'), dataIndex: 'recipients', width: 90, align: 'right', render: n },
    { title: t('status.sent'), dataIndex: 'sent', width: 80, align: 'right', render: n },
    { title: t('status.waiting'), dataIndex: 'waiting', width: 80, align: 'right', render: n },
    { title: t('status.not_friend'), dataIndex: 'notFriend', width: 80, align: 'right', render: n },
    { title: t('status.wecom_cap'), dataIndex: 'wecomCap', width: 90, align: 'right', render: n },
    { title: t('status.unsent'), dataIndex: 'unsent', width: 80, align: 'right', render: n },
    { title: t('status.failed'), dataIndex: 'failed', width: 80, align: 'right', render: n },
    { title: t('refused'), dataIndex: 'refused', width: 80, align: 'right', render: n },
    {
      title: t('errors'),
      dataIndex: 'errors',
      width: 260,
      render: (errors: string[]) =>
        errors.length === 0 ? (
          '—'
        ) : (
          <Typography.Text type="danger" ellipsis={{ tooltip: errors.join('\n') }} style={{ maxWidth: 240 }}>
            {errors.join('; ')}
          </Typography.Text>
        ),
    },
  ];
  return (
    <Table<Share>
      rowKey="wecomUserId"
      size="small"
      columns={columns}
      dataSource={rows}
      scroll={{ x: 1130 }}
      pagination={rows.length > 20 ? { pageSize: 20 } : false}
      locale={{ emptyText: <EmptyState /> }}
    />
  );
}
