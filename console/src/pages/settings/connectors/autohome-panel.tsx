import { Button, Col, Flex, Row, Table, Typography } from 'antd';
import { useState } from 'react';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useAutohome } from './api';
import { AutohomeForm } from './autohome-form';
import { messages } from './messages';

function MapTable({ title, map, idLabel, valueLabel }: { title: string; map: Record<string, string>; idLabel: string; valueLabel: string }) {
  const t = useT(messages);
  const rows = Object.entries(map).map(([id, value]) => ({ id, value }));
  return (
    <>
      <Typography.Title level={5}>
        {title}
        <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal', marginLeft: 8 }}>
          {t('entries', { n: rows.length })}
        </Typography.Text>
      </Typography.Title>
      <Table
        size="small"
        rowKey="id"
        dataSource={rows}
        locale={{ emptyText: <EmptyState /> }}
        pagination={rows.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
        columns={[
          { title: idLabel, dataIndex: 'id', ellipsis: { showTitle: true } },
          { title: valueLabel, dataIndex: 'value', ellipsis: { showTitle: true } },
        ]}
      />
    </>
  );
}

/** The Autohome (汽车之家) feed's id maps. */
export function AutohomePanel() {
  const t = useT(messages);
  const f = useFormat();
  const notify = useNotify();
  const query = useAutohome();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Flex justify="space-between" align="flex-start" gap={16} style={{ marginBottom: 12 }}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('autohomeDescription')}
          {query.data?.updatedAt ? ` ${t('updatedAt')}: ${f.dateTime(query.data.updatedAt)}` : ''}
        </Typography.Paragraph>
        <Button type="primary" onClick={() => setOpen(true)} disabled={!query.data}>
          {t('autohomeEdit')}
        </Button>
      </Flex>
      <QueryState query={query}>
        {(data) => (
          <Row gutter={[24, 16]}>
            <Col xs={24} xl={8}>
              <MapTable title={t('mapDealers')} map={data.dealers} idLabel={t('dealerId')} valueLabel={t('dealerCode')} />
            </Col>
            <Col xs={24} xl={8}>
              <MapTable title={t('mapSeries')} map={data.series} idLabel={t('seriesId')} valueLabel={t('seriesName')} />
            </Col>
            <Col xs={24} xl={8}>
              <MapTable title={t('mapModels')} map={data.models} idLabel={t('specId')} valueLabel={t('modelName')} />
            </Col>
          </Row>
        )}
      </QueryState>
      <AutohomeForm
        open={open}
        current={query.data}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false);
          notify.success(t('saved'));
        }}
      />
    </>
  );
}
