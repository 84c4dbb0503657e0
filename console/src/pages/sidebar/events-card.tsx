import { Card, Flex, List, Typography } from 'antd';
import type { SidebarEvent } from '@contracts/wecom-sidebar';
import { STANDARD_EVENTS } from '@contracts/vocabulary';
import { EmptyState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { messages } from './messages';

const SHOWN = 10;

type StandardEventKey = keyof typeof STANDARD_EVENTS;
const STANDARD_KEYS = Object.keys(STANDARD_EVENTS).filter((k): k is StandardEventKey => k in STANDARD_EVENTS);
const keyOfName = new Map<string, StandardEventKey>(STANDARD_KEYS.map((k) => [STANDARD_EVENTS[k], k]));

/** Properties worth a glance in a narrow list, in this order. */
const TEXT_PROPERTIES = ['series', 'model', 'title', 'dealerName', 'channel'] as const;

/** The last few things the customer did, newest first. */
export function EventsCard({ events }: { events: SidebarEvent[] }) {
  const t = useT(messages);
  const f = useFormat();
  const shown = events.slice(0, SHOWN);

  const label = (e: SidebarEvent) => {
    const name = e.name ?? '—';
    if (e.type === 'page') return `${t('type.page')}: ${name}`;
    if (e.type === 'screen') return `${t('type.screen')}: ${name}`;
    const key = keyOfName.get(name);
    return key ? t(`event.${key}`) : name;
  };
  const details = (e: SidebarEvent) => {
    const parts: string[] = [];
    for (const k of TEXT_PROPERTIES) {
      const v = e.properties[k];
      if ((typeof v === 'string' && v !== '') || typeof v === 'number') parts.push(String(v));
    }
    const amount = e.properties['amountFen'];
    if (typeof amount === 'number') parts.push(f.money(amount));
    return parts.join(' · ');
  };

  return (
    <Card size="small" title={t('events')} data-testid="sidebar-events">
      {shown.length === 0 ? (
        <EmptyState description={t('noEvents')} />
      ) : (
        <List
          size="small"
          split
          dataSource={shown}
          renderItem={(e) => {
            const text = details(e);
            return (
              <List.Item style={{ paddingInline: 0, display: 'block' }}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text strong ellipsis title={e.name ?? undefined} style={{ fontSize: 13 }}>
                    {label(e)}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12, flex: 'none' }}>
                    {f.dateTime(e.at)}
                  </Typography.Text>
                </Flex>
                {text ? (
                  <Typography.Text type="secondary" ellipsis title={text} style={{ fontSize: 12, display: 'block' }}>
                    {text}
                  </Typography.Text>
                ) : null}
              </List.Item>
            );
          }}
        />
      )}
    </Card>
  );
}
