import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Input, Row, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { hasRole, useMe } from '../../../auth/session';
import { EmptyState, QueryState } from '../../../components/page-state';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { PageHeader } from '../shared/page-header';
import { buildTree, useOrgUnits, type OrgUnit, type UnitNode } from './api';
import { messages } from './messages';
import { UnitDetail } from './unit-detail';
import { UnitForm, type UnitFormMode } from './unit-form';

/** Units whose name or code contains the search, with their ancestors kept so the tree still reads. */
function visibleCodes(units: readonly OrgUnit[], search: string): Set<string> | null {
  const q = search.trim().toLowerCase();
  if (!q) return null;
  const keep = new Set<string>();
  for (const u of units) if (u.name.toLowerCase().includes(q) || u.code.toLowerCase().includes(q)) for (const code of u.path) keep.add(code);
  return keep;
}

function OrgTree({ units, selected, onSelect }: { units: readonly OrgUnit[]; selected: string | undefined; onSelect: (code: string) => void }) {
  const t = useT(messages);
  const [search, setSearch] = useState('');
  const treeData = useMemo(() => {
    const keep = visibleCodes(units, search);
    const toNode = (n: UnitNode): DataNode => ({
      key: n.key,
      title: (
        <span>
          {n.unit.name}
          <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>
            {n.unit.code}
          </Typography.Text>
          {n.unit.active ? null : <Tag style={{ marginLeft: 6 }}>{t('inactive')}</Tag>}
        </span>
      ),
      children: n.children.filter((c) => !keep || keep.has(c.key)).map(toNode),
    });
    return buildTree(units)
      .filter((n) => !keep || keep.has(n.key))
      .map(toNode);
  }, [units, search, t]);
  return (
    <>
      <Input.Search allowClear placeholder={t('search')} aria-label={t('search')} onChange={(e) => setSearch(e.target.value)} style={{ marginBottom: 12 }} />
      <div data-testid="settings-org-tree" style={{ maxHeight: 'calc(100vh - 300px)', minHeight: 300, overflow: 'auto' }}>
        <Tree
          key={search}
          showLine
          defaultExpandAll
          blockNode
          treeData={treeData}
          selectedKeys={selected ? [selected] : []}
          onSelect={(keys) => {
            const key = keys[0];
            if (typeof key === 'string') onSelect(key);
          }}
        />
      </div>
    </>
  );
}

/** The org tree on the left, the selected unit on the right; admins and HQ ops create and edit units. */
export function OrgPage() {
  const t = useT(messages);
  const me = useMe();
  const notify = useNotify();
  const units = useOrgUnits();
  const [params, setParams] = useSearchParams();
  const [mode, setMode] = useState<UnitFormMode | null>(null);
  // Creating and changing units is for admins and HQ operations (the API answers 403 to others).
  const canEdit = hasRole(me, ['admin', 'hq_ops']);
  const list = units.data?.data ?? [];
  const selectedCode = params.get('unit') ?? list[0]?.code;
  const selected = list.find((u) => u.code === selectedCode);
  const select = (code: string) => setParams({ unit: code }, { replace: true });

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          canEdit ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setMode({ kind: 'create', parent: selected })}>
              {t('newUnit')}
            </Button>
          ) : null
        }
      />
      <QueryState query={units} isEmpty={(d) => d.data.length === 0} empty={t('empty')}>
        {(data) => (
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={9} xxl={7}>
              <Card>
                <OrgTree units={data.data} selected={selected?.code} onSelect={select} />
              </Card>
            </Col>
            <Col xs={24} lg={15} xxl={17}>
              {selected ? (
                <UnitDetail
                  unit={selected}
                  units={data.data}
                  canEdit={canEdit}
                  onEdit={() => setMode({ kind: 'edit', unit: selected })}
                  onAddChild={() => setMode({ kind: 'create', parent: selected })}
                />
              ) : (
                <Card>
                  <EmptyState description={t('selectHint')} />
                </Card>
              )}
            </Col>
          </Row>
        )}
      </QueryState>
      <UnitForm
        mode={mode}
        units={list}
        onClose={() => setMode(null)}
        onSaved={(unit) => {
          notify.success(mode?.kind === 'edit' ? t('saved') : t('created'));
          setMode(null);
          select(unit.code);
        }}
      />
    </>
  );
}
