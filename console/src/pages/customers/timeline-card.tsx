import { MinusSquareOutlined, PlusSquareOutlined } from '@ant-design/icons';
import { Alert, AutoComplete, Button, Card, DatePicker, Flex, Select, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import type { StoredEvent } from '@contracts/events';
import { MESSAGE_TYPES } from '@contracts/ingest';
import { STANDARD_EVENTS } from '@contracts/vocabulary';
import { EmptyState, QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { history } from './history-messages';
import { propertySummary } from './labels';
import { useProfileEvents, type EventsFilter } from './queries';
import { vocab, vocabLabel } from './vocab-messages';
import { startOfDayIso } from '../../format';

type MessageType = (typeof MESSAGE_TYPES)[number];
const TYPE_COLORS: Record<MessageType, string> = { identify: 'purple', track: 'blue', page: 'cyan', screen: 'geekblue', group: 'orange', alias: 'magenta' };

function isMessageType(v: string | undefined): v is MessageType {
  return MESSAGE_TYPES.some((m) => m === v);
}

function EventDetails({ event }: { event: StoredEvent }) {
  const t = useT(history);
  const parts = [
    { label: t('properties'), value: event.properties },
    { label: t('traits'), value: event.traits },
    { label: t('context'), value: event.context },
  ].filter((p) => p.value !== null && p.value !== undefined && !(typeof p.value === 'object' && Object.keys(p.value).length === 0));
  return (
    <Flex vertical gap={8}>
      {parts.map((p) => (
        <div key={p.label}>
          <Typography.Text strong>{p.label}</Typography.Text>
          <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>{JSON.stringify(p.value, null, 2)}</pre>
        </div>
      ))}
    </Flex>
  );
}

/**
 * The person's events, newest first, read page by page from the server with the filters applied
 * there (event name, message type, dates in the tenant's calendar).
 */
export function TimelineCard({ profileId }: { profileId: string }) {
  const t = useT(history);
  const tv = useT(vocab);
  const f = useFormat();
  const pages = useCursorPages(20);
  const [eventText, setEventText] = useState('');
  const [event, setEvent] = useState('');
  const [type, setType] = useState<MessageType | undefined>(undefined);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const { reset } = pages;

  // Typing a custom event name applies after a pause; picking a standard one applies at once.
  useEffect(() => {
    const timer = setTimeout(() => setEvent(eventText.trim()), 500);
    return () => clearTimeout(timer);
  }, [eventText]);

  const filter = useMemo<EventsFilter>(() => {
    const start = range?.[0]?.format('YYYY-MM-DD');
    const end = range?.[1]?.format('YYYY-MM-DD');
    return {
      ...(event ? { event } : {}),
      ...(type ? { type } : {}),
      ...(start ? { from: startOfDayIso(start, f.timeZone) } : {}),
      ...(end ? { to: startOfDayIso(end, f.timeZone, 1) } : {}),
    };
  }, [event, type, range, f.timeZone]);

  // Another filter starts again at the newest page.
  useEffect(() => reset(), [filter, reset]);

  const events = useProfileEvents(profileId, filter, pages.cursor, pages.limit);
  const outside = (events.data?.data ?? []).some((e) => (filter.from !== undefined && e.timestamp < filter.from) || (filter.to !== undefined && e.timestamp >= filter.to));

  const eventOptions = Object.values(STANDARD_EVENTS).map((name) => ({ value: name, label: `${vocabLabel(tv, '', name)} · ${name}` }));
  const columns: ColumnsType<StoredEvent> = [
    { title: t('time'), dataIndex: 'timestamp', width: 160, render: (at: string) => f.dateTime(at) },
    {
      title: t('event'),
      key: 'event',
      width: 260,
      render: (_: unknown, e) => {
        const name = e.event ?? e.name;
        return (
          <Flex gap={4} align="center" wrap>
            <Tag color={TYPE_COLORS[e.type]}>{vocabLabel(tv, 'type.', e.type)}</Tag>
            {name ? <span title={name}>{vocabLabel(tv, '', name)}</span> : null}
          </Flex>
        );
      },
    },
    {
      title: t('details'),
      key: 'details',
      ellipsis: true,
      render: (_: unknown, e) => {
        const text = propertySummary(e.type === 'identify' ? e.traits : e.properties);
        return <span title={text}>{text || '—'}</span>;
      },
    },
  ];

  return (
    <Card title={t('timeline')} data-testid="customer-timeline">
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <AutoComplete
          aria-label={t('eventName')}
          placeholder={t('eventNamePlaceholder')}
          allowClear
          value={eventText}
          options={eventOptions}
          filterOption={(input, option) => (option?.label ?? '').toLowerCase().includes(input.toLowerCase())}
          onChange={(v: string) => setEventText(v ?? '')}
          onSelect={(v: string) => {
            setEventText(v);
            setEvent(v);
          }}
          style={{ width: 280 }}
          data-testid="customer-timeline-event"
        />
        <Select<MessageType>
          aria-label={t('messageType')}
          placeholder={t('messageTypePlaceholder')}
          allowClear
          value={type}
          onChange={(v) => setType(isMessageType(v) ? v : undefined)}
          options={MESSAGE_TYPES.map((m) => ({ value: m, label: vocabLabel(tv, 'type.', m) }))}
          style={{ width: 160 }}
        />
        <DatePicker.RangePicker
          aria-label={t('dateRange')}
          placeholder={[t('startDate'), t('endDate')]}
          value={range}
          onChange={(v) => setRange(v)}
          allowEmpty={[true, true]}
          data-testid="customer-timeline-dates"
        />
      </Flex>
      {outside ? <Alert type="warning" showIcon message={t('dateNotApplied')} style={{ marginBottom: 12 }} /> : null}
      <QueryState query={events}>
        {(d) => (
          <>
            <Table<StoredEvent>
              rowKey="id"
              size="small"
              columns={columns}
              dataSource={d.data}
              loading={events.isFetching}
              pagination={false}
              scroll={{ x: 800 }}
              expandable={{
                expandedRowRender: (e) => <EventDetails event={e} />,
                expandIcon: ({ expanded, onExpand, record }) => (
                  <Button
                    type="text"
                    size="small"
                    aria-label={expanded ? t('collapseRow') : t('expandRow')}
                    aria-expanded={expanded}
                    icon={expanded ? <MinusSquareOutlined /> : <PlusSquareOutlined />}
                    onClick={(e) => onExpand(record, e)}
                  />
                ),
              }}
              locale={{ emptyText: <EmptyState description={t('noEvents')} /> }}
            />
            <CursorPager pages={pages} nextCursor={d.nextCursor} loading={events.isFetching} pageSizeLabel="rowsPerPage" />
          </>
        )}
      </QueryState>
    </Card>
  );
}
