import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Flex, Row, Skeleton, Statistic, Tag, Typography } from 'antd';
import { useLocation, useNavigate } from 'react-router';
import type { Profile } from '@contracts/profiles';
import { useFormat } from '../../format-hooks';
import { useLocale, useT } from '../../i18n';
import { stageLabel, traitText } from './labels';
import { messages } from './messages';
import { useLtv, useOrigin, useProfileStages, useProfileTags } from './queries';

function HeaderStages({ profileId }: { profileId: string }) {
  const t = useT(messages);
  const locale = useLocale();
  const stages = useProfileStages(profileId);
  if (stages.isPending) return <Skeleton.Button active size="small" />;
  if (stages.isError) return <Typography.Text type="danger">{t('loadFailed')}</Typography.Text>;
  const held = [...stages.data.data].filter((s) => s.stage !== null).sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  if (held.length === 0) return <Typography.Text type="secondary">{t('noStage')}</Typography.Text>;
  return (
    <Flex wrap gap={4}>
      {held.map((s) => (
        <Tag key={s.model} color={s.isDefault ? 'blue' : 'geekblue'} bordered={false}>
          {`${s.modelName} · ${stageLabel(s, locale)}`}
        </Tag>
      ))}
    </Flex>
  );
}

function HeaderTags({ profileId }: { profileId: string }) {
  const t = useT(messages);
  const tags = useProfileTags(profileId);
  if (tags.isPending) return <Skeleton.Button active size="small" />;
  if (tags.isError) return <Typography.Text type="danger">{t('loadFailed')}</Typography.Text>;
  if (tags.data.data.length === 0) return <Typography.Text type="secondary">{t('noTags')}</Typography.Text>;
  return (
    <Flex wrap gap={4}>
      {tags.data.data.map((tag) => (
        <Tag key={tag.tagId} color={tag.kind === 'rule' ? 'purple' : 'gold'} title={tag.groupName}>
          {tag.name}
        </Tag>
      ))}
    </Flex>
  );
}

/** Name, stages, tags and lifetime value of the customer, with when and where they came in. */
export function CustomerHeader({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const f = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  const ltv = useLtv(profile.id);
  const origin = useOrigin(profile.id);
  const name = traitText(profile.traits, 'name');
  const phone = traitText(profile.traits, 'phone') ?? profile.identities.find((i) => i.type === 'phone')?.value ?? null;
  const city = traitText(profile.traits, 'city');
  // Straight from a link there is nothing to go back to: the list instead.
  const back = () => void (location.key !== 'default' ? navigate(-1) : navigate('/customers'));
  const originText = origin.data ? (origin.data.orgUnit?.name ?? origin.data.source ?? t('originNone')) : origin.isError ? '—' : null;

  return (
    <Card>
      <Flex vertical gap={12}>
        <div>
          <Button type="link" icon={<ArrowLeftOutlined />} onClick={back} style={{ paddingInline: 0 }}>
            {t('backToList')}
          </Button>
        </div>
        <Row gutter={[24, 16]} align="middle">
          <Col xs={24} lg={16}>
            <Flex vertical gap={8}>
              <Flex align="baseline" gap={12} wrap>
                <Typography.Title level={3} style={{ margin: 0 }} data-testid="customer-name">
                  {name ?? t('noName')}
                </Typography.Title>
                {phone ? <Typography.Text type="secondary">{phone}</Typography.Text> : null}
              </Flex>
              <Flex gap={8} align="center" wrap>
                <Typography.Text type="secondary">{t('stages')}</Typography.Text>
                <HeaderStages profileId={profile.id} />
              </Flex>
              <Flex gap={8} align="center" wrap>
                <Typography.Text type="secondary">{t('tags')}</Typography.Text>
                <HeaderTags profileId={profile.id} />
              </Flex>
            </Flex>
          </Col>
          <Col xs={24} lg={8}>
            <Statistic title={t('ltv')} value={ltv.data ? f.money(ltv.data.totalFen) : '—'} loading={ltv.isPending} data-testid="customer-ltv" />
          </Col>
        </Row>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3, xxl: 5 }}>
          <Descriptions.Item label={t('firstSeen')}>{f.dateTime(profile.firstSeen)}</Descriptions.Item>
          <Descriptions.Item label={t('lastSeen')}>{f.dateTime(profile.lastSeen)}</Descriptions.Item>
          <Descriptions.Item label={t('origin')}>{originText ?? <Skeleton.Button active size="small" />}</Descriptions.Item>
          {city ? <Descriptions.Item label={t('city')}>{city}</Descriptions.Item> : null}
          <Descriptions.Item label={t('profileId')}>
            <Typography.Text copyable={{ text: profile.id }} ellipsis style={{ maxWidth: 200 }}>
              {profile.id}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Flex>
    </Card>
  );
}
