import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Col, Divider, Form, Input, Radio, Row, Switch } from 'antd';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import { wecomChannelCodeCreateSchema, wecomChannelCodeSchema, WECOM_STATE_MAX_LENGTH } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { useT } from '../../../i18n';
import { FormDrawer, useContractCheck } from '../shared/form-drawer';
import { wecomShared } from '../shared/messages';
import { ConnectorSelect, DealerSelect, StaffSelect } from '../shared/pickers';
import { WelcomeFields } from '../shared/welcome-fields';
import { welcomeFromForm, type WelcomeFormValues } from '../shared/welcome-form';
import { messages } from './messages';

interface CodeFormValues {
  connectorId?: string;
  kind: 'contact_way' | 'link';
  name?: string;
  state?: string;
  linkUrl?: string;
  source?: string;
  campaign?: string;
  series?: string;
  dealerCode?: string;
  consultantIds?: string[];
  backupIds?: string[];
  skipVerify: boolean;
  welcome?: WelcomeFormValues;
}

type CodeCreateInput = z.input<typeof wecomChannelCodeCreateSchema>;

const text = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

function toInput(v: CodeFormValues): CodeCreateInput {
  return {
    connectorId: v.connectorId ?? '',
    kind: v.kind,
    name: v.name ?? '',
    state: text(v.state),
    linkUrl: v.kind === 'link' ? text(v.linkUrl) : undefined,
    source: v.source ?? '',
    campaign: text(v.campaign),
    series: text(v.series),
    dealerCode: v.dealerCode,
    consultantIds: v.consultantIds ?? [],
    backupIds: v.backupIds ?? [],
    skipVerify: v.skipVerify,
    welcome: welcomeFromForm(v.welcome),
  };
}

/** The create form, fields as in the create contract; WeCom is called for a contact-way code. */
export function CodeCreateDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<CodeFormValues>();
  const { issues, check } = useContractCheck();
  const kind: unknown = Form.useWatch('kind', form);
  const create = useMutation({
    mutationFn: (body: CodeCreateInput) => api.post('/api/v1/wecom/channel-codes', wecomChannelCodeSchema, { body }),
    onSuccess: async (code) => {
      await client.invalidateQueries({ queryKey: ['wecom', 'codes'] });
      message.success(t('created'));
      // The new page replaces this one, the drawer with it.
      void navigate(`/wecom/codes/${code.id}`);
    },
    onError: (e) => message.error(e.message),
  });
  const required = [{ required: true, message: ts('required') }];

  const submit = (values: CodeFormValues) => {
    const input = toInput(values);
    if (check(wecomChannelCodeCreateSchema, input)) create.mutate(input);
  };

  return (
    <FormDrawer
      title={t('newCode')}
      open={open}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={create.isPending}
      issues={issues}
      error={create.error}
      notices={kind !== 'link' ? <Alert type="info" showIcon message={ts('wecomMayFail')} /> : null}
    >
      <Form<CodeFormValues> form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'contact_way', skipVerify: true }}>
        <Divider orientation="left" plain>
          {t('sectionBasics')}
        </Divider>
        <Form.Item name="connectorId" label={ts('connector')} rules={required}>
          <ConnectorSelect />
        </Form.Item>
        <Form.Item name="kind" label={t('kind')}>
          <Radio.Group
            aria-label={t('kind')}
            options={[
              { value: 'contact_way', label: t('kind.contact_way') },
              { value: 'link', label: t('kind.link') },
            ]}
          />
        </Form.Item>
        {kind === 'link' ? (
          <Form.Item name="linkUrl" label={t('linkUrl')} extra={t('linkUrlHelp')} rules={required}>
            <Input placeholder={ts('urlPlaceholder')} aria-label={t('linkUrl')} />
          </Form.Item>
        ) : null}
        <Form.Item name="name" label={t('name')} rules={required}>
          <Input maxLength={100} aria-label={t('name')} />
        </Form.Item>
        <Form.Item name="source" label={t('source')} extra={t('sourceHelp')} rules={required}>
          <Input maxLength={64} aria-label={t('source')} />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="campaign" label={t('campaign')}>
              <Input maxLength={100} aria-label={t('campaign')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="series" label={t('series')}>
              <Input maxLength={64} aria-label={t('series')} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="state" label={t('state')} extra={t('stateHelp')}>
          <Input maxLength={WECOM_STATE_MAX_LENGTH} aria-label={t('state')} />
        </Form.Item>
        <Form.Item name="dealerCode" label={ts('dealer')}>
          <DealerSelect />
        </Form.Item>
        <Divider orientation="left" plain>
          {t('sectionMembers')}
        </Divider>
        <Form.Item name="consultantIds" label={ts('consultants')} rules={required}>
          <StaffSelect multiple ariaLabel={ts('consultants')} />
        </Form.Item>
        <Form.Item name="backupIds" label={ts('backups')}>
          <StaffSelect multiple ariaLabel={ts('backups')} />
        </Form.Item>
        <Form.Item name="skipVerify" label={t('skipVerify')} valuePropName="checked">
          <Switch aria-label={t('skipVerify')} />
        </Form.Item>
        <Divider orientation="left" plain>
          {t('sectionWelcome')}
        </Divider>
        <WelcomeFields name="welcome" />
      </Form>
    </FormDrawer>
  );
}
