import { Card, Descriptions, Flex, Popover, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { FUNNEL_STATUSES, type LeadStatus } from '@contracts/funnel';
import type { Lead } from '@contracts/leads';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { leadMessages } from './lead-messages';
import { STATUS_COLORS, useVocab } from './vocab';

/** When the lead first reached each funnel step (new: when it was created). */
function reachedAt(lead: Lead, status: LeadStatus): string | null {
  const m = lead.milestones;
  const at: Partial<Record<LeadStatus, string | null>> = {
    new: lead.createdAt,
    assigned: lead.assignedAt,
    contacted: m.contactedAt,
    invited: m.invitedAt,
    visited: m.visitedAt,
    test_drive: m.testDriveAt,
    ordered: m.orderedAt,
    invoiced: m.invoicedAt,
    delivered: m.deliveredAt,
  };
  return at[status] ?? null;
}

/** The funnel steps with the time each was reached; a closed lead shows when it was closed. */
export function LeadProgress({ lead }: { lead: Lead }) {
  const v = useVocab();
  const f = useFormat();
  const last = FUNNEL_STATUSES.length - 1;
  const closedAt = lead.milestones.closedAt;
  return (
    <Card size="small" data-testid="lead-progress">
      <Flex align="flex-start">
        {FUNNEL_STATUSES.map((s, i) => {
          const at = reachedAt(lead, s);
          const current = s === lead.status;
          const nextReached = i < last && reachedAt(lead, FUNNEL_STATUSES[i + 1] ?? s) !== null;
          return (
            <Flex key={s} vertical align="center" gap={2} style={{ flex: 1, minWidth: 0, position: 'relative' }}>
              {i < last && <div style={{ position: 'absolute', top: 6, left: '50%', right: '-50%', height: 2, background: nextReached ? '#1677ff' : '#e8e8e8' }} />}
              <div
                style={{
                  width: current ? 14 : 12,
                  height: current ? 14 : 12,
                  marginTop: current ? 0 : 1,
                  borderRadius: '50%',
                  background: at ? '#1677ff' : '#fff',
                  border: `2px solid ${at ? '#1677ff' : '#d9d9d9'}`,
                  boxShadow: current ? '0 0 0 3px rgba(22,119,255,0.2)' : undefined,
                  position: 'relative',
                }}
              />
              <Typography.Text strong={current} type={at ? undefined : 'secondary'} ellipsis style={{ maxWidth: '100%' }}>
                {v.status(s)}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {at ? f.date(at) : '\u00a0'}
              </Typography.Text>
            </Flex>
          );
        })}
        {closedAt && (
          <Flex vertical align="center" gap={2} style={{ flex: 1, minWidth: 0 }}>
            <Tag color={STATUS_COLORS[lead.status]} style={{ marginInlineEnd: 0 }}>
              {v.status(lead.status)}
            </Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {f.date(closedAt)}
            </Typography.Text>
          </Flex>
        )}
      </Flex>
    </Card>
  );
}

type FactorKey = Extract<keyof (typeof leadMessages)['en'], `factor.${string}`>;
function isFactorKey(key: string): key is FactorKey {
  return key.startsWith('factor.') && Object.hasOwn(leadMessages.en, key);
}

export function LeadDetails({ lead }: { lead: Lead }) {
  const t = useT(leadMessages);
  const v = useVocab();
  const f = useFormat();
  const factorLabel = (factor: string) => {
    const key = `factor.${factor}`;
    return isFactorKey(key) ? t(key) : factor;
  };
  const factors = (
    <Descriptions
      size="small"
      column={1}
      style={{ maxWidth: 420 }}
      items={lead.scoreFactors.map((s) => ({ key: s.factor, label: factorLabel(s.factor), children: `${s.points} · ${s.detail}` }))}
    />
  );
  return (
    <Card title={t('details')} size="small">
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 3 }}
        items={[
          {
            key: 'person',
            label: t('person'),
            children: lead.profileId ? (
              <Link to={`/customers/${lead.profileId}`} data-testid="lead-person-link">
                {lead.name ?? t('viewPerson')}
              </Link>
            ) : (
              '—'
            ),
          },
          { key: 'phone', label: t('phone'), children: lead.phone ?? '—' },
          { key: 'source', label: t('source'), children: [v.source(lead.source), lead.channel].filter(Boolean).join(' · ') },
          { key: 'campaign', label: t('campaign'), children: lead.campaign ?? '—' },
          { key: 'city', label: t('city'), children: [lead.province, lead.city].filter(Boolean).join(' ') || '—' },
          { key: 'series', label: t('series'), children: [lead.series, lead.model].filter(Boolean).join(' · ') || '—' },
          { key: 'dealer', label: t('dealer'), children: lead.dealerCode ?? '—' },
          { key: 'consultant', label: t('consultant'), children: lead.consultantName ?? '—' },
          {
            key: 'score',
            label: t('score'),
            children: (
              <Popover content={factors} title={t('scoreFactors')}>
                <Typography.Link>{lead.score}</Typography.Link>
              </Popover>
            ),
          },
          { key: 'dedup', label: t('dedup'), children: v.dedup(lead.dedup) },
          { key: 'pool', label: t('pool'), children: lead.inPool ? <Tag color="orange">{v.poolReason(lead.poolReason)}</Tag> : t('notInPool') },
          ...(lead.invalidReason ? [{ key: 'invalid', label: t('invalidReason'), children: v.invalidReason(lead.invalidReason) }] : []),
          ...(lead.defeatReason ? [{ key: 'defeat', label: t('defeatReason'), children: v.defeatReason(lead.defeatReason) }] : []),
          { key: 'created', label: t('createdAt'), children: f.dateTime(lead.createdAt) },
          { key: 'assigned', label: t('assignedAt'), children: f.dateTime(lead.assignedAt) },
          { key: 'sla', label: t('slaDueAt'), children: lead.firstFollowUpAt ? t('slaMet') : f.dateTime(lead.slaDueAt) },
          { key: 'first', label: t('firstFollowUpAt'), children: f.dateTime(lead.firstFollowUpAt) },
          { key: 'next', label: t('nextFollowUpAt'), children: f.dateTime(lead.nextFollowUpAt) },
          { key: 'external', label: t('externalId'), children: lead.externalId ?? '—' },
        ]}
      />
    </Card>
  );
}
