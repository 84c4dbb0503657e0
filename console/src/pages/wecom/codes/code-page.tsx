import { ArrowLeftOutlined, DeleteOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Flex, Popconfirm, Row, Space, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { z } from 'zod';
import { wecomChannelCodeSchema, type WecomChannelCode } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { hasRole, useMe } from '../../../auth/session';
import { ErrorAlert, QueryState } from '../../../components/page-state';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { wecomShared } from '../shared/messages';
import { staffLabel, useStaffById, wecomKeys } from '../shared/refs';
import { CodeQr } from './code-qr';
import { CodeStats } from './code-stats';
import { messages } from './messages';

function CodeInfo({ code }: { code: WecomChannelCode }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const tc = useT(common);
  const f = useFormat();
  const staff = useStaffById();
  const people = (ids: string[]) =>
    ids.length === 0 ? (
      tc('none')
    ) : (
      <Flex wrap gap={4}>
        {ids.map((id) => (
          <Tag key={id}>{staffLabel(staff.get(id), id)}</Tag>
        ))}
      </Flex>
    );
  return (
    <Descriptions column={{ xs: 1, sm: 1, md: 1, lg: 1, xl: 2, xxl: 2 }} size="small" bordered>
      <Descriptions.Item label={t('kind')}>{t(`kind.${code.kind}`)}</Descriptions.Item>
      <Descriptions.Item label={t('state')}>
        <Typography.Text code copyable>
          {code.state}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('source')}>{code.source}</Descriptions.Item>
      <Descriptions.Item label={t('campaign')}>{code.campaign ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('series')}>{code.series ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={ts('dealer')}>{code.dealerCode ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('skipVerify')}>{code.skipVerify ? tc('yes') : tc('no')}</Descriptions.Item>
      <Descriptions.Item label={t('configId')}>{code.configId ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={ts('consultants')} span="filled">
        {people(code.consultantIds)}
      </Descriptions.Item>
      <Descriptions.Item label={ts('backups')} span="filled">
        {people(code.backupIds)}
      </Descriptions.Item>
      <Descriptions.Item label={t('activeUsers')} span="filled">
        {code.activeUserIds.join(', ') || tc('none')}
      </Descriptions.Item>
      <Descriptions.Item label={t('welcome')} span="filled">
        {code.welcome ? (
          <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
            {code.welcome.text ?? '—'}
            {code.welcome.attachment ? <Tag style={{ marginLeft: 8 }}>{code.welcome.attachment.title}</Tag> : null}
          </Typography.Paragraph>
        ) : (
          t('noWelcome')
        )}
      </Descriptions.Item>
      <Descriptions.Item label={ts('createdAt')}>{f.dateTime(code.createdAt)}</Descriptions.Item>
      <Descriptions.Item label={t('updatedAt')}>{f.dateTime(code.updatedAt)}</Descriptions.Item>
    </Descriptions>
  );
}

function DeleteButton({ code }: { code: WecomChannelCode }) {
  const t = useT(messages);
  const tc = useT(common);
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/v1/wecom/channel-codes/${code.id}`, z.null()),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['wecom', 'codes'] });
      message.success(t('deleted'));
      void navigate('/wecom/codes');
    },
    onError: (e) => message.error(e.message),
  });
  return (
    <Space direction="vertical" align="end">
      <Popconfirm title={t('deleteConfirm')} onConfirm={() => remove.mutate()} okText={tc('delete')} cancelText={tc('cancel')} okButtonProps={{ danger: true }}>
        <Button danger icon={<DeleteOutlined />} loading={remove.isPending}>
          {tc('delete')}
        </Button>
      </Popconfirm>
      {remove.error ? <ErrorAlert error={remove.error} /> : null}
    </Space>
  );
}

export function CodePage() {
  const t = useT(messages);
  const tc = useT(common);
  const me = useMe();
  const { id = '' } = useParams();
  const code = useQuery({ queryKey: wecomKeys.code(id), queryFn: () => api.get(`/api/v1/wecom/channel-codes/${id}`, wecomChannelCodeSchema) });
  const canManage = hasRole(me, ['admin', 'hq_ops', 'dealer_manager']);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/wecom/codes">
        <ArrowLeftOutlined /> {tc('back')}
      </Link>
      <QueryState query={code}>
        {(c) => (
          <Flex vertical gap={16}>
            <Flex justify="space-between" align="flex-start" wrap gap={12}>
              <Typography.Title level={3} style={{ margin: 0 }}>
                {c.name}
              </Typography.Title>
              {canManage ? <DeleteButton code={c} /> : null}
            </Flex>
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={9} xl={7}>
                <Card title={t('qrTitle')} style={{ height: '100%' }}>
                  <CodeQr code={c} />
                </Card>
              </Col>
              <Col xs={24} lg={15} xl={17}>
                <Card title={t('info')} style={{ height: '100%' }}>
                  <CodeInfo code={c} />
                </Card>
              </Col>
            </Row>
            <CodeStats codeId={c.id} />
          </Flex>
        )}
      </QueryState>
    </Space>
  );
}
