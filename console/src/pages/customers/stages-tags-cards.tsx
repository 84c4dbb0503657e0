import { Card, Flex, Table, Tag, Timeline, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { ProfileStage, StageModel } from '@contracts/stages';
import type { ProfileTag } from '@contracts/tags';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { EmptyState, ErrorAlert, QueryState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useLocale, useT, type Locale } from '../../i18n';
import { stageLabel } from './labels';
import { useProfileStages, useProfileTags, useStageHistory, useStageModels, useTagHistory, useTagList } from './queries';
import { sections } from './section-messages';
import { vocab, vocabLabel } from './vocab-messages';

/** A stage key's name within its model, from the tenant's stage models. */
function stageName(models: StageModel[] | undefined, model: string, key: string, locale: Locale): string {
  const s = models?.find((m) => m.key === model)?.stages.find((x) => x.key === key);
  return s ? stageLabel({ stage: s.key, stageName: s.name, stageNameZh: s.nameZh }, locale) : key;
}

function StageHistory({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const f = useFormat();
  const locale = useLocale();
  const history = useStageHistory(profileId);
  const models = useStageModels();
  const modelName = (key: string) => models.data?.data.find((m) => m.key === key)?.name ?? key;
  return (
    <QueryState query={history} isEmpty={(d) => d.data.length === 0} empty={t('noStageHistory')}>
      {(d) => (
        <Timeline
          style={{ marginTop: 8 }}
          items={d.data.map((h) => {
            const from = h.fromStage === null ? null : stageName(models.data?.data, h.model, h.fromStage, locale);
            const to = h.toStage === null ? null : stageName(models.data?.data, h.model, h.toStage, locale);
            const text = from === null ? t('entered', { to: to ?? '' }) : to === null ? t('left', { from }) : t('moved', { from, to });
            return {
              key: h.id,
              color: to === null ? 'gray' : 'blue',
              children: (
                <Flex vertical>
                  <Typography.Text>{`${modelName(h.model)} · ${text}`}</Typography.Text>
                  <Typography.Text type="secondary">{f.dateTime(h.at)}</Typography.Text>
                </Flex>
              ),
            };
          })}
        />
      )}
    </QueryState>
  );
}

/** The current stage in every stage model, and the transitions that led there. */
export function StagesCard({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const f = useFormat();
  const locale = useLocale();
  const stages = useProfileStages(profileId);
  const columns: ColumnsType<ProfileStage> = [
    {
      title: t('stageModel'),
      dataIndex: 'modelName',
      render: (name: string, s) => (
        <Flex gap={4} align="center">
          {name}
          {s.isDefault ? <Tag color="blue">{t('defaultModel')}</Tag> : null}
        </Flex>
      ),
    },
    { title: t('stage'), key: 'stage', render: (_: unknown, s) => (s.stage === null ? <Typography.Text type="secondary">{t('noStageHeld')}</Typography.Text> : stageLabel(s, locale)) },
    { title: t('since'), dataIndex: 'since', width: 110, render: (at: string | null) => <span title={f.dateTime(at)}>{f.date(at)}</span> },
  ];
  return (
    <Card title={t('stages')} data-testid="customer-stages">
      <QueryState query={stages}>
        {(d) => <Table<ProfileStage> rowKey="model" size="small" columns={columns} dataSource={d.data} pagination={false} scroll={{ x: 340 }} />}
      </QueryState>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('stageHistory')}
      </Typography.Title>
      <StageHistory profileId={profileId} />
    </Card>
  );
}

/** Tag changes per page of the history. */
const TAG_HISTORY_PAGE = 20;

function TagHistory({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const f = useFormat();
  const pages = useCursorPages(TAG_HISTORY_PAGE);
  const history = useTagHistory(profileId, pages.cursor, pages.limit);
  const names = useTagList();
  const tagName = (id: string) => names.data?.data.find((x) => x.id === id)?.name ?? id.slice(0, 8);
  return (
    <QueryState query={history} isEmpty={(d) => d.data.length === 0 && pages.page === 1} empty={t('noTagHistory')}>
      {(d) => (
        <>
          <Timeline
            style={{ marginTop: 8 }}
            items={d.data.map((h) => ({
              key: h.id,
              color: h.action === 'applied' ? 'green' : 'red',
              children: (
                <Flex vertical>
                  <Typography.Text>{h.action === 'applied' ? t('tagApplied', { tag: tagName(h.tagId) }) : t('tagRemoved', { tag: tagName(h.tagId) })}</Typography.Text>
                  <Typography.Text type="secondary">{`${f.dateTime(h.at)} · ${h.actor === 'rule' ? t('byRule') : h.actor}${h.reason ? ` · ${h.reason}` : ''}`}</Typography.Text>
                </Flex>
              ),
            }))}
          />
          {pages.page > 1 || d.nextCursor ? <CursorPager pages={pages} nextCursor={d.nextCursor} loading={history.isFetching} variant="arrows" withPageSize={false} /> : null}
        </>
      )}
    </QueryState>
  );
}

/** The tags the person carries now, and when each was applied or removed (oldest first). */
export function TagsCard({ profileId }: { profileId: string }) {
  const t = useT(sections);
  const tv = useT(vocab);
  const f = useFormat();
  const tags = useProfileTags(profileId);
  const columns: ColumnsType<ProfileTag> = [
    { title: t('tags'), dataIndex: 'name', render: (name: string, tag) => <Tag color={tag.kind === 'rule' ? 'purple' : 'gold'}>{name}</Tag> },
    { title: t('tagGroup'), dataIndex: 'groupName', ellipsis: true },
    { title: t('tagKind'), dataIndex: 'kind', width: 70, render: (k: string) => vocabLabel(tv, 'tagKind.', k) },
    { title: t('appliedAt'), dataIndex: 'appliedAt', width: 110, render: (at: string) => <span title={f.dateTime(at)}>{f.date(at)}</span> },
  ];
  return (
    <Card title={t('tags')} data-testid="customer-tags">
      {tags.isError ? <ErrorAlert error={tags.error} /> : null}
      <Table<ProfileTag>
        rowKey="tagId"
        size="small"
        loading={tags.isPending}
        columns={columns}
        dataSource={tags.data?.data ?? []}
        pagination={false}
        scroll={{ x: 360 }}
        locale={{ emptyText: <EmptyState description={t('noTags')} /> }}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('tagHistory')}
      </Typography.Title>
      <TagHistory profileId={profileId} />
    </Card>
  );
}
