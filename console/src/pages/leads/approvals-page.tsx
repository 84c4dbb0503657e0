import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Input, Modal, Segmented, Skeleton, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router';
import { DEFEAT_STATES, defeatDecisionSchema, defeatRequestSchema, type DefeatRequest } from '@contracts/funnel';
import { api } from '../../api/client';
import { EmptyState, ErrorState } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { LEADS_KEY, useDefeatRequests, useLead } from './api';
import { approvalMessages } from './approval-messages';
import { useStaffNames } from './staff-names';
import { useVocab } from './vocab';
import { PageTitle } from './page-title';

type DefeatState = (typeof DEFEAT_STATES)[number];
type Decision = 'approve' | 'reject';
const LIMIT = 200;
/**
 * Rows a page of the queue shows. A request names its lead by id only and the API has no lead lookup by
 * many ids, so each shown row reads its lead: paging bounds that to this many reads at a time.
 */
const PAGE_SIZE = 20;

/** The lead of a request: its person's name, linked to the lead page. */
function LeadCell({ leadId }: { leadId: string }) {
  const lead = useLead(leadId);
  const label = lead.data ? (lead.data.name ?? lead.data.phone ?? leadId.slice(0, 8)) : leadId.slice(0, 8);
  return <Link to={`/leads/${leadId}`}>{label}</Link>;
}

function DecisionDialog({ request, decision, onClose }: { request: DefeatRequest | null; decision: Decision; onClose: () => void }) {
  const t = useT(approvalMessages);
  const tc = useT(common);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ note?: string }>();
  const decide = useMutation({
    mutationFn: ({ id, note }: { id: string; note?: string }) =>
      api.post(`/api/v1/defeat-requests/${encodeURIComponent(id)}/${decision}`, defeatRequestSchema, { body: defeatDecisionSchema.parse({ note }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: [LEADS_KEY] }),
  });
  const submit = async () => {
    if (!request) return;
    const { note } = await form.validateFields();
    decide.mutate(
      { id: request.id, note: note?.trim() || undefined },
      {
        onSuccess: () => {
          void message.success(decision === 'approve' ? t('approved') : t('rejected'));
          form.resetFields();
          onClose();
        },
        onError: (e) => void message.error(e.message),
      },
    );
  };
  return (
    <Modal
      open={request !== null}
      title={decision === 'approve' ? t('approveTitle') : t('rejectTitle')}
      okText={decision === 'approve' ? t('approve') : t('reject')}
      okButtonProps={{ danger: decision === 'approve' }}
      cancelText={tc('cancel')}
      confirmLoading={decide.isPending}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{decision === 'approve' ? t('approveHint') : t('rejectHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="note" label={t('note')} rules={[{ required: decision === 'reject', whitespace: true, message: t('noteRequired') }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="approval-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Defeat requests of the leads in the manager's scope: pending ones to approve or reject, and the decided ones. */
export function ApprovalsPage() {
  const t = useT(approvalMessages);
  const v = useVocab();
  const f = useFormat();
  const names = useStaffNames();
  const [state, setState] = useState<DefeatState>('pending');
  const [deciding, setDeciding] = useState<{ request: DefeatRequest; decision: Decision } | null>(null);
  const requests = useDefeatRequests({ state, limit: LIMIT });

  const columns: ColumnsType<DefeatRequest> = [
    { title: t('colLead'), key: 'lead', width: 110, fixed: 'left', render: (_, r) => <LeadCell leadId={r.leadId} /> },
    { title: t('colRequester'), key: 'requester', width: 100, render: (_, r) => names(null, r.requestedBy) },
    { title: t('colReason'), dataIndex: 'reasonCode', width: 160, render: (c: string) => <Tag color="volcano">{v.defeatReason(c)}</Tag> },
    { title: t('colRemark'), dataIndex: 'remark', ellipsis: { showTitle: true } },
    { title: t('colPrevious'), dataIndex: 'previousStatus', width: 100, render: (s: string) => v.status(s) },
    { title: t('colRequested'), dataIndex: 'requestedAt', width: 150, render: (d: string) => f.dateTime(d) },
  ];
  if (state === 'pending') {
    columns.push({
      title: t('colActions'),
      key: 'actions',
      width: 140,
      fixed: 'right',
      render: (_, r) => (
        <Space>
          <Button size="small" type="primary" danger data-testid={`approval-approve-${r.leadId}`} onClick={() => setDeciding({ request: r, decision: 'approve' })}>
            {t('approve')}
          </Button>
          <Button size="small" data-testid={`approval-reject-${r.leadId}`} onClick={() => setDeciding({ request: r, decision: 'reject' })}>
            {t('reject')}
          </Button>
        </Space>
      ),
    });
  } else {
    columns.push(
      { title: t('colDecidedBy'), key: 'decidedBy', width: 110, render: (_, r) => names(null, r.decidedBy) },
      { title: t('colDecidedAt'), dataIndex: 'decidedAt', width: 150, render: (d: string | null) => f.dateTime(d) },
      { title: t('colNote'), dataIndex: 'decisionNote', ellipsis: { showTitle: true }, render: (n: string | null) => n ?? '—' },
    );
  }

  return (
    <Flex vertical gap={16}>
      <PageTitle
        title={t('title')}
        subtitle={t('subtitle')}
        extra={
          <Segmented<DefeatState> aria-label={t('stateFilter')} value={state} onChange={setState} options={DEFEAT_STATES.map((s) => ({ value: s, label: v.defeatState(s) }))} />
        }
      />
      <Card>
        {requests.isPending ? (
          <Skeleton active />
        ) : requests.isError ? (
          <ErrorState error={requests.error} onRetry={() => void requests.refetch()} />
        ) : (
          <div data-testid="approvals-table">
            <Table<DefeatRequest>
              rowKey="id"
              size="middle"
              loading={requests.isFetching}
              dataSource={requests.data?.data ?? []}
              columns={columns}
              pagination={{ pageSize: PAGE_SIZE, hideOnSinglePage: true, showSizeChanger: false }}
              scroll={{ x: 960 }}
              locale={{ emptyText: <EmptyState description={state === 'pending' ? t('nonePending') : t('none')} /> }}
            />
            {requests.data?.data.length === LIMIT && <Typography.Text type="secondary">{t('newestOnly', { n: LIMIT })}</Typography.Text>}
          </div>
        )}
      </Card>
      <DecisionDialog request={deciding?.request ?? null} decision={deciding?.decision ?? 'approve'} onClose={() => setDeciding(null)} />
    </Flex>
  );
}
