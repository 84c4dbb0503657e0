import { ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { wecomChurnSchema, type WecomChurn } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { startOfDayIso } from '../../../format';
import { DayRangePicker, useLast90Days } from '../shared/day-range';
import { wecomShared } from '../shared/messages';
import { WecomPageHeader } from '../shared/page-header';
import { useChannelCodes, wecomKeys } from '../shared/refs';
import { ChurnChart } from './churn-chart';
import { messages } from './messages';

type Row = WecomChurn['data'][number];
const LIMITS = [100, 200, 500] as const;

export function ChurnPage() {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const f = useFormat();
  const [range, setRange] = useLast90Days();
  const [limit, setLimit] = useState<number>(200);
  const query = { from: startOfDayIso(range.from, f.timeZone), to: startOfDayIso(range.to, f.timeZone, 1), limit };
  const churn = useQuery({
    queryKey: wecomKeys.churn(query),
    queryFn: () => api.get('/api/v1/wecom/churn', wecomChurnSchema, { query }),
  });
  const codes = useChannelCodes();
  const codeNames = useMemo(() => new Map((codes.data?.data ?? []).map((c) => [c.id, c.name])), [codes.data]);

  const columns: ColumnsType<Row> = [
    { title: t('removedAt'), dataIndex: 'removedAt', width: 140, fixed: 'left', render: (v: string) => f.dateTime(v) },
    {
      title: t('customer'),
      key: 'customer',
      width: 110,
      ellipsis: { showTitle: true },
      render: (_, r) => {
        const name = r.customerName ?? t('unknownCustomer');
        return r.profileId ? <Link to={`/customers/${r.profileId}`}>{name}</Link> : name;
      },
    },
    { title: t('consultant'), dataIndex: 'consultantName', width: 100, render: (v: string | null) => v ?? '—' },
    { title: t('wecomUserId'), dataIndex: 'wecomUserId', width: 110 },
    { title: t('dealer'), dataIndex: 'dealerCode', width: 80, render: (v: string | null) => v ?? '—' },
    {
      title: t('code'),
      dataIndex: 'channelCodeId',
      width: 200,
      ellipsis: { showTitle: true },
      render: (id: string | null) => (id ? <Link to={`/wecom/codes/${id}`}>{codeNames.get(id) ?? id}</Link> : '—'),
    },
    { title: t('addedAt'), dataIndex: 'addedAt', width: 140, render: (v: string) => f.dateTime(v) },
    { title: t('daysAsFriend'), dataIndex: 'daysAsFriend', width: 100, align: 'right', render: (n: number) => t('days', { n: f.number(n) }) },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <WecomPageHeader
        title={t('title')}
        intro={t('intro')}
        extra={
          <Space wrap>
            <DayRangePicker value={range} onChange={setRange} ariaLabel={t('range')} />
            <Select<number>
              style={{ width: 130 }}
              value={limit}
              onChange={setLimit}
              aria-label={t('limit')}
              options={LIMITS.map((n) => ({ value: n, label: t('limitN', { n }) }))}
            />
            <Button icon={<ReloadOutlined />} onClick={() => void churn.refetch()} aria-label={ts('refresh')} />
          </Space>
        }
      />
      <QueryState query={churn}>
        {(data) => (
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            {data.data.length >= limit ? <Alert type="warning" showIcon message={t('limitReached', { n: limit })} /> : null}
            {data.data.length > 0 && data.data.length < limit ? (
              <Card title={t('perDay')} extra={<Typography.Text type="secondary">{t('total', { n: f.number(data.data.length) })}</Typography.Text>}>
                <ChurnChart rows={data.data} from={range.from} to={range.to} />
              </Card>
            ) : null}
            <Card>
              <Table<Row>
                data-testid="wecom-churn-table"
                rowKey="friendshipId"
                size="middle"
                columns={columns}
                dataSource={data.data}
                scroll={{ x: 980 }}
                locale={{ emptyText: <EmptyState /> }}
                pagination={{ defaultPageSize: 20, showSizeChanger: true }}
              />
            </Card>
          </Space>
        )}
      </QueryState>
    </Space>
  );
}
