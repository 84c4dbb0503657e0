import { Alert, Flex, Skeleton, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { common } from '../../i18n/common';
import { useLocale, useT } from '../../i18n';
import { messages } from './messages';
import { useProfileName, useProfileStages, useProfileTags, useVehicle } from './queries';
import { stageLabel, traitText } from './labels';
import { vocab, vocabLabel } from './vocab-messages';

/** The customer's stage in the default stage model (the search answer does not carry it). */
export function StageCell({ profileId }: { profileId: string }) {
  const t = useT(messages);
  const locale = useLocale();
  const stages = useProfileStages(profileId);
  if (stages.isPending) return <Skeleton.Button active size="small" />;
  if (stages.isError) return <Typography.Text type="secondary">{'—'}</Typography.Text>;
  const held = stages.data.data.find((s) => s.isDefault && s.stage !== null) ?? stages.data.data.find((s) => s.stage !== null);
  if (!held) return <Typography.Text type="secondary">{t('noStage')}</Typography.Text>;
  return <Tag color="blue">{stageLabel(held, locale)}</Tag>;
}

/** The customer's first few tags, the rest counted. */
export function TagsCell({ profileId, max = 3 }: { profileId: string; max?: number }) {
  const t = useT(messages);
  const tags = useProfileTags(profileId);
  if (tags.isPending) return <Skeleton.Button active size="small" />;
  if (tags.isError || tags.data.data.length === 0) return <Typography.Text type="secondary">{'—'}</Typography.Text>;
  const list = tags.data.data;
  return (
    <Flex wrap gap={4}>
      {list.slice(0, max).map((tag) => (
        <Tag key={tag.tagId} title={`${tag.groupName} / ${tag.name}`} style={{ marginInlineEnd: 0 }}>
          {tag.name}
        </Tag>
      ))}
      {list.length > max ? <Tag title={list.slice(max).map((x) => x.name).join('、')}>{t('moreTags', { n: list.length - max })}</Tag> : null}
    </Flex>
  );
}

/** A link to a customer's 360 named by their profile (the id while it loads or is out of scope). */
export function CustomerLink({ profileId }: { profileId: string }) {
  const t = useT(messages);
  const profile = useProfileName(profileId);
  const name = profile.data ? traitText(profile.data.traits, 'name') : null;
  return <Link to={`/customers/${profileId}`}>{name ?? (profile.isSuccess ? t('noName') : profileId.slice(0, 8))}</Link>;
}

/** The people related to the vehicle whose VIN was searched for (the profile search does not match VINs). */
export function VinMatches({ vin }: { vin: string }) {
  const t = useT(messages);
  const tv = useT(vocab);
  const tc = useT(common);
  const vehicle = useVehicle(vin);
  if (vehicle.isPending || vehicle.isError) return null;
  const v = vehicle.data;
  // One entry per person, with every current relation (owner and buyer are often the same person).
  const people = new Map<string, string[]>();
  for (const r of v.relations) if (r.validTo === null) people.set(r.profileId, [...(people.get(r.profileId) ?? []), r.role]);
  return (
    <Alert
      type="info"
      showIcon
      data-testid="customer-vin-match"
      message={t('vinTitle', { vin: v.vin })}
      description={
        <Space direction="vertical" size={4}>
          <Typography.Text type="secondary">{v.model ?? v.series ?? tc('unknown')}</Typography.Text>
          {people.size === 0 ? (
            <Typography.Text>{t('vinNone')}</Typography.Text>
          ) : (
            <Flex wrap gap={12}>
              {[...people].map(([profileId, roles]) => (
                <Space key={profileId} size={4}>
                  <CustomerLink profileId={profileId} />
                  {roles.map((role) => (
                    <Tag key={role}>{vocabLabel(tv, 'role.', role)}</Tag>
                  ))}
                </Space>
              ))}
            </Flex>
          )}
        </Space>
      }
    />
  );
}
