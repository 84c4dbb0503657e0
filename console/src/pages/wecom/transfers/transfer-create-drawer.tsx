import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form, Input, Tabs } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import {
  TRANSFER_MESSAGE_MAX,
  wecomResignedTransferCreateSchema,
  wecomTransferCreateSchema,
  wecomTransferSchema,
  type WecomTransfer,
} from '@contracts/wecom-transfers';
import { api } from '../../../api/client';
import { useT } from '../../../i18n';
import { FormDrawer, useContractCheck } from '../shared/form-drawer';
import { wecomShared } from '../shared/messages';
import { ConnectorSelect, StaffSelect } from '../shared/pickers';
import { wecomKeys } from '../shared/refs';
import { messages } from './messages';
import { ProfilePicker, type PickedProfile } from './profile-picker';

type OnJobInput = z.input<typeof wecomTransferCreateSchema>;
type ResignedInput = z.input<typeof wecomResignedTransferCreateSchema>;
type Request = { kind: 'on_job'; body: OnJobInput } | { kind: 'resigned'; body: ResignedInput };

interface TransferFormValues {
  connectorId?: string;
  fromStaffId?: string;
  fromWecomUserId?: string;
  toStaffId?: string;
  profiles?: PickedProfile[];
  externalUserIds?: string;
  message?: string;
  idempotencyKey?: string;
}

const blank = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());
const lines = (s: string | undefined) => (s ?? '').split(/[\s,;]+/).filter((l) => l !== '');

function toRequest(kind: 'on_job' | 'resigned', v: TransferFormValues): Request {
  if (kind === 'resigned') {
    return {
      kind,
      body: {
        connectorId: v.connectorId ?? '',
        fromStaffId: blank(v.fromStaffId),
        fromWecomUserId: blank(v.fromWecomUserId),
        toStaffId: v.toStaffId ?? '',
        idempotencyKey: blank(v.idempotencyKey),
      },
    };
  }
  const profileIds = (v.profiles ?? []).map((p) => p.value);
  const externalUserIds = lines(v.externalUserIds);
  return {
    kind,
    body: {
      connectorId: v.connectorId ?? '',
      fromStaffId: v.fromStaffId ?? '',
      toStaffId: v.toStaffId ?? '',
      profileIds: profileIds.length > 0 ? profileIds : undefined,
      externalUserIds: externalUserIds.length > 0 ? externalUserIds : undefined,
      message: blank(v.message),
      idempotencyKey: blank(v.idempotencyKey),
    },
  };
}

/** Starts an on-the-job or a resigned transfer; the answer (with each customer's outcome) opens at once. */
export function TransferCreateDrawer({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (t: WecomTransfer) => void }) {
  const t = useT(messages);
  const ts = useT(wecomShared);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [kind, setKind] = useState<'on_job' | 'resigned'>('on_job');
  const [form] = Form.useForm<TransferFormValues>();
  const { issues, check } = useContractCheck();
  const create = useMutation({
    mutationFn: (r: Request) =>
      r.kind === 'on_job'
        ? api.post('/api/v1/wecom/transfers', wecomTransferSchema, { body: r.body })
        : api.post('/api/v1/wecom/transfers/resigned', wecomTransferSchema, { body: r.body }),
    onSuccess: async (transfer) => {
      client.setQueryData(wecomKeys.transfer(transfer.id), transfer);
      await client.invalidateQueries({ queryKey: ['wecom', 'transfers'] });
      message.success(t('created'));
      form.resetFields();
      onCreated(transfer);
    },
    onError: (e) => message.error(e.message),
  });
  const required = [{ required: true, message: ts('required') }];

  const submit = (values: TransferFormValues) => {
    const r = toRequest(kind, values);
    if (check(r.kind === 'on_job' ? wecomTransferCreateSchema : wecomResignedTransferCreateSchema, r.body)) create.mutate(r);
  };

  return (
    <FormDrawer
      title={t('newTransfer')}
      open={open}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={create.isPending}
      issues={issues}
      error={create.error}
      notices={
        <>
          <Tabs
            activeKey={kind}
            onChange={(k) => setKind(k === 'resigned' ? 'resigned' : 'on_job')}
            items={[
              { key: 'on_job', label: t('onJobTab') },
              { key: 'resigned', label: t('resignedTab') },
            ]}
          />
          {kind === 'on_job' ? <Alert type="info" showIcon message={t('quotaRule')} /> : null}
          <Alert type="info" showIcon message={ts('wecomMayFail')} />
        </>
      }
    >
      <Form<TransferFormValues> form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="connectorId" label={ts('connector')} rules={required}>
          <ConnectorSelect />
        </Form.Item>
        <Form.Item name="fromStaffId" label={kind === 'on_job' ? t('from') : t('fromStaff')} rules={kind === 'on_job' ? required : undefined}>
          <StaffSelect ariaLabel={kind === 'on_job' ? t('from') : t('fromStaff')} />
        </Form.Item>
        {kind === 'resigned' ? (
          <Form.Item name="fromWecomUserId" label={t('fromWecomUserId')} extra={t('fromWecomUserIdHelp')}>
            <Input maxLength={64} aria-label={t('fromWecomUserId')} />
          </Form.Item>
        ) : null}
        <Form.Item name="toStaffId" label={t('to')} rules={required}>
          <StaffSelect ariaLabel={t('to')} />
        </Form.Item>
        {kind === 'on_job' ? (
          <>
            <Form.Item name="profiles" label={t('profileIds')}>
              <ProfilePicker />
            </Form.Item>
            <Form.Item name="externalUserIds" label={t('externalUserIds')} extra={t('externalUserIdsHelp')}>
              <Input.TextArea rows={3} aria-label={t('externalUserIds')} />
            </Form.Item>
            <Form.Item name="message" label={t('message')} extra={t('messageHelp')}>
              <Input.TextArea rows={2} maxLength={TRANSFER_MESSAGE_MAX} showCount aria-label={t('message')} />
            </Form.Item>
          </>
        ) : null}
        <Form.Item name="idempotencyKey" label={t('idempotencyKey')}>
          <Input maxLength={100} aria-label={t('idempotencyKey')} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
