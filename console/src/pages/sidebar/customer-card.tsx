import { Card, Descriptions, Flex, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { WecomSidebar } from '@contracts/wecom-sidebar';
import { useFormat } from '../../format-hooks';
import { useLocale, useT } from '../../i18n';
import { localName } from '../../i18n/common';
import { messages } from './messages';

type Stage = WecomSidebar['stages'][number];

/** Who the customer is: name, phone (masked as the API returns it), when last seen, and their stages. */
export function CustomerCard({ data }: { data: WecomSidebar }) {
  const t = useT(messages);
  const f = useFormat();
  const { person } = data;
  return (
    <Card
      size="small"
      data-testid="sidebar-customer"
      title={
        <Typography.Text strong ellipsis title={person.name ?? undefined} style={{ fontSize: 15 }}>
          {person.name ?? t('noName')}
        </Typography.Text>
      }
      extra={
        <Link to={`/customers/${person.id}`} target="_blank" rel="noreferrer">
          {t('open360')}
        </Link>
      }
    >
      <Descriptions
        size="small"
        column={1}
        colon={false}
        styles={{ label: { width: 100, color: 'rgba(0,0,0,0.55)' }, content: { minWidth: 0 } }}
        items={[
          { key: 'phone', label: t('phone'), children: person.phone ?? '—' },
          { key: 'lastSeen', label: t('lastSeen'), children: f.dateTime(person.lastSeen) },
          {
            key: 'externalUserId',
            label: t('externalUserId'),
            children: (
              <Typography.Text copyable ellipsis style={{ fontSize: 12, maxWidth: '100%' }}>
                {data.externalUserId}
              </Typography.Text>
            ),
          },
        ]}
      />
      <StageList stages={data.stages} />
    </Card>
  );
}

/** The current stage in each operating model, the default model first. */
function StageList({ stages }: { stages: Stage[] }) {
  const t = useT(messages);
  const f = useFormat();
  const locale = useLocale();
  const sorted = [...stages].sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  return (
    <div data-testid="sidebar-stage" style={{ marginTop: 8, borderTop: '1px solid #f0f0f0', paddingTop: 8 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('stage')}
      </Typography.Text>
      {sorted.length === 0 ? (
        <div>
          <Typography.Text type="secondary">{t('noStage')}</Typography.Text>
        </div>
      ) : (
        sorted.map((s) => {
          const name = localName(locale, s.stageName, s.stageNameZh) ?? s.stage ?? '—';
          return (
            <Flex key={s.model} align="center" justify="space-between" gap={8} style={{ marginTop: 4 }}>
              <Flex align="center" gap={4} style={{ minWidth: 0 }}>
                <Typography.Text ellipsis title={s.modelName} style={{ fontSize: 12 }}>
                  {s.modelName}
                </Typography.Text>
                <Tag color={s.isDefault ? 'blue' : 'default'} style={{ marginInlineEnd: 0 }}>
                  {s.stage && s.stage.toLowerCase() !== name.toLowerCase() ? `${name} · ${s.stage}` : name}
                </Tag>
              </Flex>
              {s.since ? (
                <Typography.Text type="secondary" style={{ fontSize: 12, flex: 'none' }}>
                  {t('since', { date: f.date(s.since) })}
                </Typography.Text>
              ) : null}
            </Flex>
          );
        })
      )}
    </div>
  );
}
