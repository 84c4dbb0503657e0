import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { KpiGroup } from '@contracts/kpis';
import { EmptyState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { leaderboardMessages } from './leaderboard-messages';
import { compareMetric, isRate, METRICS, metricValue, type Metric } from './leaderboard-metrics';

/** Every group of the KPI answer, sortable by each figure (the answer holds all groups: sorting needs no new request). */
export function LeaderboardTable({ groups, metric, onSort, nameOf }: { groups: KpiGroup[]; metric: Metric; onSort: (m: Metric) => void; nameOf: (g: KpiGroup) => string }) {
  const t = useT(leaderboardMessages);
  const f = useFormat();
  const ranked = [...groups].sort((a, b) => compareMetric(a, b, metric));
  const cell = (g: KpiGroup, m: Metric) => {
    const value = metricValue(g, m);
    if (!isRate(m)) return f.number(value);
    const r = g[m];
    return (
      <span title={`${f.number(r.numerator)} / ${f.number(r.denominator)}`}>
        {f.percent(value)}
      </span>
    );
  };
  const columns: ColumnsType<KpiGroup> = [
    { title: t('colRank'), key: 'rank', width: 64, fixed: 'left', render: (_, g) => ranked.indexOf(g) + 1 },
    {
      title: t('colName'),
      key: 'name',
      width: 200,
      fixed: 'left',
      render: (_, g) => (
        <>
          <Typography.Text ellipsis={{ tooltip: nameOf(g) }} style={{ maxWidth: 184 }}>
            {nameOf(g)}
          </Typography.Text>
          {g.code && (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              {g.code}
            </Typography.Text>
          )}
        </>
      ),
    },
    ...METRICS.map(
      (m): ColumnsType<KpiGroup>[number] => ({
        title: t(`metric.${m}`),
        key: m,
        width: isRate(m) ? 112 : 104,
        align: 'right',
        sorter: true,
        sortOrder: metric === m ? 'descend' : null,
        sortDirections: ['descend'],
        render: (_, g) => cell(g, m),
      }),
    ),
    {
      title: t('colAvgDays'),
      key: 'avgDays',
      width: 110,
      align: 'right',
      render: (_, g) => (g.avgDaysToOrder.average === null ? '—' : f.number(g.avgDaysToOrder.average)),
    },
  ];
  return (
    <Table<KpiGroup>
      rowKey={(g) => g.key ?? 'none'}
      size="middle"
      dataSource={ranked}
      columns={columns}
      pagination={ranked.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 1500 }}
      locale={{ emptyText: <EmptyState description={t('empty')} /> }}
      onChange={(_, __, sorter) => {
        const one = Array.isArray(sorter) ? sorter[0] : sorter;
        const key = one?.columnKey;
        const m = METRICS.find((x) => x === key);
        if (m) onSort(m);
      }}
    />
  );
}
