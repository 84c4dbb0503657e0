import { Alert, Badge, Button, Descriptions, Flex, Popconfirm, Space, Tag } from 'antd';
import { useState } from 'react';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useDeleteOceanEngine, useOceanEngine, usePollOceanEngine, type OceanEngine } from './api';
import { messages } from './messages';
import { OceanEngineForm } from './ocean-engine-form';

function RemarkFields({ fields }: { fields: OceanEngine['remarkFields'] }) {
  const t = useT(messages);
  const c = useT(common);
  const entries = [
    [t('remarkSeries'), fields?.series],
    [t('remarkModel'), fields?.model],
    [t('remarkDealer'), fields?.dealerCode],
  ].filter((e): e is [string, string] => typeof e[1] === 'string');
  if (entries.length === 0) return <>{c('none')}</>;
  return (
    <Space size={[4, 4]} wrap>
      {entries.map(([label, value]) => (
        <Tag key={label}>{`${label}: ${value}`}</Tag>
      ))}
    </Space>
  );
}

/** The Ocean Engine (巨量引擎) clue poller: its settings, where it is, how its last run went. */
export function OceanEnginePanel() {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const notify = useNotify();
  const query = useOceanEngine();
  const poll = usePollOceanEngine();
  const remove = useDeleteOceanEngine();
  const [open, setOpen] = useState(false);

  return (
    <QueryState query={query}>
      {(oe) => (
        <>
          {oe === null ? (
            <EmptyState
              description={
                <Space direction="vertical">
                  {t('oceanNotConfigured')}
                  <Button type="primary" onClick={() => setOpen(true)}>
                    {t('oceanConfigure')}
                  </Button>
                </Space>
              }
            />
          ) : (
            <>
              <Flex justify="flex-end" gap={8} wrap style={{ marginBottom: 12 }}>
                <Button
                  loading={poll.isPending}
                  onClick={() => poll.mutate(undefined, { onSuccess: (r) => notify.success(t('pollQueued', { at: f.dateTime(r.nextRunAt) })), onError: notify.error })}
                >
                  {t('pollNow')}
                </Button>
                <Button type="primary" onClick={() => setOpen(true)}>
                  {t('oceanEdit')}
                </Button>
                <Popconfirm
                  title={t('disconnectConfirm')}
                  okText={c('confirm')}
                  cancelText={c('cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => remove.mutateAsync().then(() => notify.success(t('deleted')), notify.error)}
                >
                  <Button danger>{t('disconnect')}</Button>
                </Popconfirm>
              </Flex>
              {oe.lastError ? <Alert type="error" showIcon message={t('lastError')} description={oe.lastError} style={{ marginBottom: 12 }} /> : null}
              <Descriptions bordered size="small" column={2}>
                <Descriptions.Item label={t('baseUrl')}>{oe.baseUrl}</Descriptions.Item>
                <Descriptions.Item label={t('accessToken')}>
                  {oe.hasAccessToken ? <Badge status="success" text={t('hasToken')} /> : <Badge status="warning" text={t('noToken')} />}
                </Descriptions.Item>
                <Descriptions.Item label={t('advertiserIds')} span={2}>
                  {oe.advertiserIds.map((id) => (
                    <Tag key={id}>{id}</Tag>
                  ))}
                </Descriptions.Item>
                <Descriptions.Item label={t('pollInterval')}>{f.number(oe.pollIntervalSeconds)}</Descriptions.Item>
                <Descriptions.Item label={t('lookBack')}>{f.number(oe.lookBackMinutes)}</Descriptions.Item>
                <Descriptions.Item label={t('pageSize')}>{f.number(oe.pageSize)}</Descriptions.Item>
                <Descriptions.Item label={t('remarkFields')}>
                  <RemarkFields fields={oe.remarkFields} />
                </Descriptions.Item>
                <Descriptions.Item label={t('cursor')}>{f.dateTime(oe.cursor)}</Descriptions.Item>
                <Descriptions.Item label={t('lastRunAt')}>{f.dateTime(oe.lastRunAt)}</Descriptions.Item>
                <Descriptions.Item label={t('nextRunAt')}>{f.dateTime(oe.nextRunAt)}</Descriptions.Item>
                <Descriptions.Item label={t('updatedAt')}>{f.dateTime(oe.updatedAt)}</Descriptions.Item>
                <Descriptions.Item label={t('lastRun')} span={2}>
                  {oe.lastRun
                    ? t('lastRunStats', {
                        clues: oe.lastRun.clues,
                        created: oe.lastRun.created,
                        existing: oe.lastRun.existing,
                        completed: oe.lastRun.completed,
                        waiting: oe.lastRun.waitingForPhone,
                        rejected: oe.lastRun.rejected.length,
                      })
                    : '—'}
                </Descriptions.Item>
              </Descriptions>
            </>
          )}
          <OceanEngineForm
            open={open}
            current={oe}
            onClose={() => setOpen(false)}
            onSaved={() => {
              setOpen(false);
              notify.success(t('saved'));
            }}
          />
        </>
      )}
    </QueryState>
  );
}
