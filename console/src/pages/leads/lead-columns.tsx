import { Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import type { Lead, LeadStatus } from '@contracts/leads';
import type { useFormat } from '../../format-hooks';
import type { Translate } from '../../i18n';
import type { listMessages } from './list-messages';
import { STATUS_COLORS, type useVocab } from './vocab';

type Keys = keyof (typeof listMessages)['en'];

export function StatusTag({ status, label }: { status: LeadStatus; label: string }) {
  return <Tag color={STATUS_COLORS[status]}>{label}</Tag>;
}

/** The person's name, or their phone when the lead has no name; links to the lead. */
function LeadName({ lead }: { lead: Lead }) {
  return (
    <Link to={`/leads/${lead.id}`}>
      <Typography.Text ellipsis={{ tooltip: lead.name ?? lead.phone ?? lead.id }} style={{ maxWidth: 100, color: 'inherit' }}>
        {lead.name ?? lead.phone ?? lead.id.slice(0, 8)}
      </Typography.Text>
    </Link>
  );
}

/** Columns shared by the lead list and the pool. */
export function leadColumns(t: Translate<Keys>, v: ReturnType<typeof useVocab>, f: ReturnType<typeof useFormat>): ColumnsType<Lead> {
  return [
    { title: t('colName'), key: 'name', fixed: 'left', width: 120, render: (_, l) => <LeadName lead={l} /> },
    { title: t('colPhone'), dataIndex: 'phone', width: 140, render: (p: string | null) => p ?? '—' },
    { title: t('colStatus'), dataIndex: 'status', width: 90, render: (s: LeadStatus) => <StatusTag status={s} label={v.status(s)} /> },
    { title: t('colSource'), dataIndex: 'source', width: 100, render: (s: string) => v.source(s) },
    {
      title: t('colSeries'),
      key: 'series',
      width: 120,
      ellipsis: true,
      render: (_, l) => [l.series, l.model].filter(Boolean).join(' · ') || '—',
    },
    { title: t('colDealer'), dataIndex: 'dealerCode', width: 90, render: (c: string | null) => c ?? '—' },
    { title: t('colConsultant'), dataIndex: 'consultantName', width: 100, render: (n: string | null) => n ?? '—' },
    { title: t('colScore'), dataIndex: 'score', width: 70, align: 'right' },
    { title: t('colCreated'), dataIndex: 'createdAt', width: 150, render: (d: string) => f.dateTime(d) },
  ];
}
