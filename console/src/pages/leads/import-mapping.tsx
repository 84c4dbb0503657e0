import { Alert, Card, Col, Form, Input, Row, Select, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { IMPORT_FIELDS, type ImportField } from '@contracts/lead-sources';
import { LEAD_SOURCES } from '@contracts/leads';
import { useMe } from '../../auth/session';
import { useT } from '../../i18n';
import { useDealers } from './api';
import { importMessages } from './import-messages';
import { useVocab } from './vocab';

const PREVIEW_ROWS = 10;

export interface ImportDefaults {
  source: string;
  dealerCode?: string;
  channel?: string;
  campaign?: string;
}

interface PreviewRow {
  key: number;
  cells: string[];
}

export type ColumnMap = Record<string, ImportField | undefined>;

/** Which lead field each header of the file holds, defaults for empty cells, and the first rows as they will be read. */
export function ImportMapping({
  headers,
  rows,
  columns,
  onColumns,
  defaults,
  onDefaults,
  problems,
}: {
  headers: string[];
  rows: string[][];
  columns: ColumnMap;
  onColumns: (next: ColumnMap) => void;
  defaults: ImportDefaults;
  onDefaults: (next: ImportDefaults) => void;
  problems: string[];
}) {
  const t = useT(importMessages);
  const v = useVocab();
  const me = useMe();
  const dealers = useDealers();
  const fieldLabel = (f: ImportField) => t(`field.${f}`);
  const used = new Set(Object.values(columns));

  const mappingColumns: ColumnsType<string> = [
    { title: t('colHeader'), key: 'header', width: 160, render: (_, h) => <Typography.Text strong>{h}</Typography.Text> },
    {
      title: t('colSample'),
      key: 'sample',
      ellipsis: true,
      render: (_, h) => {
        const i = headers.indexOf(h);
        return rows.find((r) => (r[i] ?? '') !== '')?.[i] ?? '—';
      },
    },
    {
      title: t('colField'),
      key: 'field',
      width: 200,
      render: (_, h) => (
        <Select<ImportField | ''>
          aria-label={t('fieldFor', { header: h })}
          style={{ width: '100%' }}
          value={columns[h] ?? ''}
          onChange={(f) => onColumns({ ...columns, [h]: f === '' ? undefined : f })}
          options={[
            { value: '', label: t('ignore') },
            ...IMPORT_FIELDS.map((f) => ({ value: f, label: fieldLabel(f), disabled: used.has(f) && columns[h] !== f })),
          ]}
        />
      ),
    },
  ];

  const previewColumns: ColumnsType<PreviewRow> = headers.map((h, i) => ({
    key: `${i}`,
    width: 140,
    ellipsis: true,
    title: (
      <>
        {h}
        <br />
        {columns[h] ? <Tag color="blue">{fieldLabel(columns[h])}</Tag> : <Tag>{t('ignore')}</Tag>}
      </>
    ),
    render: (_, row) => row.cells[i] ?? '',
  }));

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={14}>
        <Card size="small" title={t('mappingTitle')}>
          <Table<string> rowKey={(h) => h} size="small" dataSource={headers} columns={mappingColumns} pagination={false} data-testid="import-mapping" />
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card size="small" title={t('defaultsTitle')}>
          <Typography.Paragraph type="secondary">{t('defaultsHint')}</Typography.Paragraph>
          <Form layout="vertical">
            <Form.Item label={t('source')}>
              <Select
                showSearch
                aria-label={t('source')}
                value={defaults.source}
                onChange={(source) => onDefaults({ ...defaults, source })}
                options={LEAD_SOURCES.map((s) => ({ value: s, label: `${v.source(s)} (${s})` }))}
              />
            </Form.Item>
            <Form.Item label={t('dealerCode')} extra={me.scope.kind === 'all' ? undefined : t('dealerOwn')}>
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                aria-label={t('dealerCode')}
                value={defaults.dealerCode}
                onChange={(dealerCode?: string) => onDefaults({ ...defaults, dealerCode })}
                options={(dealers.data ?? []).map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }))}
              />
            </Form.Item>
            <Form.Item label={t('channel')}>
              <Input aria-label={t('channel')} value={defaults.channel} maxLength={100} onChange={(e) => onDefaults({ ...defaults, channel: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('campaign')} style={{ marginBottom: 0 }}>
              <Input aria-label={t('campaign')} value={defaults.campaign} maxLength={200} onChange={(e) => onDefaults({ ...defaults, campaign: e.target.value })} />
            </Form.Item>
          </Form>
        </Card>
      </Col>
      {problems.length > 0 && (
        <Col span={24}>
          <Alert type="warning" showIcon message={t('mappingProblems')} description={problems.join('；')} />
        </Col>
      )}
      <Col span={24}>
        <Card size="small" title={t('previewTitle', { n: Math.min(PREVIEW_ROWS, rows.length), total: rows.length })}>
          <Table<PreviewRow>
            rowKey="key"
            size="small"
            dataSource={rows.slice(0, PREVIEW_ROWS).map((cells, key) => ({ key, cells }))}
            columns={previewColumns}
            pagination={false}
            scroll={{ x: headers.length * 140 }}
            data-testid="import-preview"
          />
        </Card>
      </Col>
    </Row>
  );
}
