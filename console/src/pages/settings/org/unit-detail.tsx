import { Badge, Button, Card, Descriptions, Space, Tag } from 'antd';
import { useNavigate } from 'react-router';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import type { OrgUnit } from './api';
import { messages } from './messages';

/** One unit's fields, with the actions the caller's role has. */
export function UnitDetail({ unit, units, canEdit, onEdit, onAddChild }: { unit: OrgUnit; units: readonly OrgUnit[]; canEdit: boolean; onEdit: () => void; onAddChild: () => void }) {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const navigate = useNavigate();
  const nameOf = (code: string) => units.find((u) => u.code === code)?.name ?? code;
  return (
    <Card
      title={
        <Space>
          {unit.name}
          <Tag color="blue">{t(`type.${unit.type}`)}</Tag>
        </Space>
      }
      extra={
        <Space wrap>
          <Button onClick={() => void navigate(`/settings/staff?unit=${encodeURIComponent(unit.code)}`)}>{t('staffOfUnit')}</Button>
          {canEdit ? (
            <>
              {unit.type !== 'team' ? <Button onClick={onAddChild}>{t('addChild')}</Button> : null}
              <Button type="primary" onClick={onEdit}>
                {c('edit')}
              </Button>
            </>
          ) : null}
        </Space>
      }
    >
      <Descriptions bordered size="small" column={2}>
        <Descriptions.Item label={t('code')}>{unit.code}</Descriptions.Item>
        <Descriptions.Item label={t('status')}>{unit.active ? <Badge status="success" text={t('active')} /> : <Badge status="default" text={t('inactive')} />}</Descriptions.Item>
        <Descriptions.Item label={t('path')} span={2}>
          {unit.path.map(nameOf).join(' / ')}
        </Descriptions.Item>
        <Descriptions.Item label={t('province')}>{unit.province ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('city')}>{unit.city ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('latitude')}>{unit.latitude ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('longitude')}>{unit.longitude ?? '—'}</Descriptions.Item>
        {unit.type === 'dealer' ? (
          <>
            <Descriptions.Item label={t('capacity')}>{f.number(unit.capacity)}</Descriptions.Item>
            <Descriptions.Item label={t('series')}>{unit.series && unit.series.length > 0 ? unit.series.map((s) => <Tag key={s}>{s}</Tag>) : t('allSeries')}</Descriptions.Item>
          </>
        ) : null}
        <Descriptions.Item label={t('createdAt')}>{f.dateTime(unit.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('updatedAt')}>{f.dateTime(unit.updatedAt)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
