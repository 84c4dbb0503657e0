import { Card, Timeline, Typography } from 'antd';
import { QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { useTransitions } from './api';
import { leadMessages } from './lead-messages';
import { useStaffNames } from './staff-names';
import { STATUS_COLORS, useVocab } from './vocab';

const TIMELINE_COLORS: Record<string, string> = { red: 'red', green: 'green', default: 'gray' };

/** The lead's status history, newest first. */
export function LeadHistory({ leadId }: { leadId: string }) {
  const t = useT(leadMessages);
  const v = useVocab();
  const f = useFormat();
  const names = useStaffNames();
  const history = useTransitions(leadId);
  return (
    <Card title={t('history')} size="small" data-testid="lead-history">
      <QueryState query={history} isEmpty={(d) => d.data.length === 0} empty={t('noHistory')}>
        {(page) => (
          <Timeline
            style={{ marginTop: 8 }}
            items={[...page.data].reverse().map((tr) => ({
              key: tr.id,
              color: TIMELINE_COLORS[STATUS_COLORS[tr.to]] ?? 'blue',
              children: (
                <>
                  <Typography.Text strong>{tr.from ? `${v.status(tr.from)} → ${v.status(tr.to)}` : v.status(tr.to)}</Typography.Text>
                  <br />
                  <Typography.Text type="secondary">{`${f.dateTime(tr.at)} · ${names(null, tr.actor)}`}</Typography.Text>
                  {(tr.reason || tr.remark) && (
                    <>
                      <br />
                      <Typography.Text type="secondary">{[tr.reason ? v.transitionReason(tr.reason) : null, tr.remark].filter(Boolean).join(' · ')}</Typography.Text>
                    </>
                  )}
                </>
              ),
            }))}
          />
        )}
      </QueryState>
    </Card>
  );
}
