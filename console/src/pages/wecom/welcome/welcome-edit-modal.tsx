import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form, Modal, Space } from 'antd';
import { useEffect } from 'react';
import type { z } from 'zod';
import { wecomChannelCodeSchema, wecomChannelCodeUpdateSchema, type WecomChannelCode } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { ErrorAlert } from '../../../components/page-state';
import { IssuesAlert, useContractCheck } from '../shared/form-drawer';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { wecomKeys } from '../shared/refs';
import { WelcomeFields } from '../shared/welcome-fields';
import { welcomeFromForm, welcomeToForm, type WelcomeFormValues } from '../shared/welcome-form';
import { messages } from './messages';

type CodeUpdateInput = z.input<typeof wecomChannelCodeUpdateSchema>;

/** The code's settings as they are, with a new welcome message: the update replaces all of them. */
function updateOf(code: WecomChannelCode, welcome: WelcomeFormValues | undefined): CodeUpdateInput {
  return {
    name: code.name,
    source: code.source,
    campaign: code.campaign ?? undefined,
    series: code.series ?? undefined,
    dealerCode: code.dealerCode ?? undefined,
    consultantIds: code.consultantIds,
    backupIds: code.backupIds,
    skipVerify: code.skipVerify,
    welcome: welcomeFromForm(welcome),
  };
}

export function WelcomeEditModal({ code, onClose }: { code: WecomChannelCode | null; onClose: () => void }) {
  const t = useT(messages);
  const tc = useT(common);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ welcome: WelcomeFormValues }>();
  const { issues, check, clear } = useContractCheck();
  const save = useMutation({
    mutationFn: ({ id, body }: { id: string; body: CodeUpdateInput }) => api.put(`/api/v1/wecom/channel-codes/${id}`, wecomChannelCodeSchema, { body }),
    onSuccess: async (saved) => {
      client.setQueryData(wecomKeys.code(saved.id), saved);
      await client.invalidateQueries({ queryKey: ['wecom', 'codes'] });
      message.success(t('saved'));
      onClose();
    },
    onError: (e) => message.error(e.message),
  });
  const { reset } = save;

  useEffect(() => {
    if (!code) return;
    form.setFieldsValue({ welcome: welcomeToForm(code.welcome) });
    clear();
    reset();
  }, [code, form, reset, clear]);

  const submit = (values: { welcome: WelcomeFormValues }) => {
    if (!code) return;
    const body = updateOf(code, values.welcome);
    if (check(wecomChannelCodeUpdateSchema, body)) save.mutate({ id: code.id, body });
  };

  return (
    <Modal
      open={code !== null}
      title={code ? t(code.welcome ? 'editTitle' : 'createTitle', { name: code.name }) : null}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={tc('save')}
      cancelText={tc('cancel')}
      confirmLoading={save.isPending}
      width={640}
      forceRender
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {code?.kind === 'contact_way' ? <Alert type="info" showIcon message={t('contactWayNote')} /> : null}
        <IssuesAlert issues={issues} />
        {save.error ? <ErrorAlert error={save.error} /> : null}
        <Form form={form} layout="vertical" onFinish={submit}>
          <WelcomeFields name="welcome" />
        </Form>
        <Alert type="warning" message={t('removeHelp')} />
      </Space>
    </Modal>
  );
}
