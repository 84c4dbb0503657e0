import { Alert, Card, Flex, Skeleton, Spin, Statistic, Table, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { segmentDefinitionSchema, type ProfileSample } from '@contracts/segments';
import { ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { usePreview } from './api';
import type { Condition } from './builder';
import { messages } from './messages';

const DEBOUNCE_MS = 400;
const SAMPLE_ROWS = 8;
/** Traits shown in the row when a profile has them; all of them are in the tooltip. */
const LEADING_TRAITS = ['name', 'phone', 'city'] as const;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function traitText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The checked definition of a condition tree, or the first problem with it. */
export function checkDefinition(condition: Condition) {
  return segmentDefinitionSchema.safeParse({ version: 1, condition });
}

function SampleTable({ sample }: { sample: ProfileSample[] }) {
  const t = useT(messages);
  const f = useFormat();
  return (
    <Table<ProfileSample>
      size="small"
      rowKey="id"
      dataSource={sample.slice(0, SAMPLE_ROWS)}
      pagination={false}
      columns={[
        {
          title: t('traits'),
          key: 'traits',
          ellipsis: { showTitle: false },
          render: (_, p) => {
            const lead = LEADING_TRAITS.map((k) => traitText(p.traits[k])).filter((s) => s !== '');
            const all = [`id: ${p.id}`, ...Object.entries(p.traits).map(([k, v]) => `${k}: ${traitText(v)}`)].join('\n');
            return (
              <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{all}</span>}>
                <Link to={`/customers/${p.id}`}>{lead.length > 0 ? lead.join(' · ') : p.id.slice(0, 8)}</Link>
              </Tooltip>
            );
          },
        },
        { title: t('lastSeen'), dataIndex: 'lastSeen', width: 104, render: (v: string) => f.date(v) },
      ]}
    />
  );
}

/**
 * The count and a sample of the people the conditions match now, asked again ~400 ms after the
 * last edit. The count element holds only the number while it is current for the conditions shown.
 */
export function LivePreview({ condition }: { condition: Condition }) {
  const t = useT(messages);
  const f = useFormat();
  const json = useMemo(() => JSON.stringify(condition), [condition]);
  const debounced = useDebounced(condition, DEBOUNCE_MS);
  const debouncedJson = useMemo(() => JSON.stringify(debounced), [debounced]);
  const checked = useMemo(() => checkDefinition(debounced), [debounced]);
  const preview = usePreview(checked.success ? checked.data : null, debouncedJson);
  const current = checked.success && json === debouncedJson && !preview.isPlaceholderData && !preview.isFetching && preview.data !== undefined;
  const count = preview.data?.count;

  return (
    <Card
      title={
        // Title and hint stacked: side by side, a narrow column cut the title short.
        <Flex vertical style={{ padding: '12px 0' }}>
          <span>{t('liveCount')}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal', whiteSpace: 'normal' }}>
            {t('liveCountHint')}
          </Typography.Text>
        </Flex>
      }
      data-testid="segment-preview"
    >
      <Flex vertical gap={12}>
        {!checked.success ? (
          <Alert
            type="warning"
            showIcon
            message={t('invalidDefinition')}
            description={
              <Flex vertical gap={4}>
                <span>{t('fixMarked')}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {checked.error.issues[0]?.message}
                </Typography.Text>
              </Flex>
            }
          />
        ) : preview.isError ? (
          <ErrorAlert error={preview.error} />
        ) : (
          <Flex align="center" gap={12}>
            <Statistic
              title={t('memberCount')}
              valueRender={() =>
                current ? (
                  <span data-testid="segment-live-count">{String(count)}</span>
                ) : (
                  <Typography.Text type="secondary" style={{ fontSize: 'inherit' }} aria-busy="true">
                    {count === undefined ? '—' : f.number(count)}
                  </Typography.Text>
                )
              }
            />
            {!current ? <Spin size="small" aria-label={t('previewUpdating')} /> : null}
          </Flex>
        )}
        {preview.data ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('evaluatedAt', { t: f.dateTime(preview.data.evaluatedAt) })}
          </Typography.Text>
        ) : null}
        {checked.success || preview.data ? <Typography.Text strong>{t('sample')}</Typography.Text> : null}
        {!checked.success && !preview.data ? null : !preview.data ? (
          <Skeleton active paragraph={{ rows: 4 }} title={false} />
        ) : preview.data.sample.length === 0 ? (
          <Typography.Text type="secondary">{t('sampleEmpty')}</Typography.Text>
        ) : (
          <SampleTable sample={preview.data.sample} />
        )}
      </Flex>
    </Card>
  );
}
