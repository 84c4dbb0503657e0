import { Card, Descriptions, Typography } from 'antd';
import { Link } from 'react-router';
import type { SidebarLead } from '@contracts/wecom-sidebar';
import { LeadStatusTag } from '../../components/lead-status-tag';
import { EmptyState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { messages } from './messages';

/** The open lead: its status, what the customer wants, who works it and when to follow up next. */
export function LeadCard({ lead }: { lead: SidebarLead | null }) {
  const t = useT(messages);
  const f = useFormat();
  if (!lead) {
    return (
      <Card size="small" title={t('lead')} data-testid="sidebar-lead">
        <EmptyState description={t('noLead')} />
      </Card>
    );
  }
  const intent = [lead.series, lead.model].filter((s) => s).join(' · ');
  // The first follow-up's deadline matters while the lead waits for it (assigned, not yet followed up).
  const slaDueAt = lead.status === 'assigned' ? lead.slaDueAt : null;
  const slaOverdue = slaDueAt !== null && Date.parse(slaDueAt) < Date.now();
  const followUpOverdue = lead.nextFollowUpAt !== null && Date.parse(lead.nextFollowUpAt) < Date.now();
  return (
    <Card
      size="small"
      data-testid="sidebar-lead"
      title={
        <span>
          {t('lead')}{' '}
          <LeadStatusTag status={lead.status} data-testid="sidebar-lead-status" style={{ marginInlineStart: 4 }} />
        </span>
      }
      extra={
        <Link to={`/leads/${lead.id}`} target="_blank" rel="noreferrer">
          {t('leadDetail')}
        </Link>
      }
    >
      <Descriptions
        size="small"
        column={1}
        colon={false}
        styles={{ label: { width: 100, color: 'rgba(0,0,0,0.55)' }, content: { minWidth: 0 } }}
        items={[
          { key: 'intent', label: t('intent'), children: intent || '—' },
          { key: 'consultant', label: t('consultant'), children: lead.consultantName ?? '—' },
          { key: 'dealer', label: t('dealer'), children: lead.dealerCode ?? '—' },
          {
            key: 'next',
            label: t('nextFollowUp'),
            children: lead.nextFollowUpAt ? (
              <Typography.Text type={followUpOverdue ? 'danger' : undefined}>
                {f.dateTime(lead.nextFollowUpAt)}
                {followUpOverdue ? ` (${t('overdue')})` : ''}
              </Typography.Text>
            ) : (
              <Typography.Text type="secondary">{t('notPlanned')}</Typography.Text>
            ),
          },
          ...(slaDueAt
            ? [
                {
                  key: 'sla',
                  label: t('slaDue'),
                  children: (
                    <Typography.Text type={slaOverdue ? 'danger' : 'warning'}>
                      {f.dateTime(slaDueAt)}
                      {slaOverdue ? ` (${t('overdue')})` : ''}
                    </Typography.Text>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
