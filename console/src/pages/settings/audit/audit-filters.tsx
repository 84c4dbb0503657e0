import { AutoComplete, Button, DatePicker, Flex, Form } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo } from 'react';
import { useFormat } from '../../../format-hooks';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import type { Staff } from '../staff/api';
import type { AuditFilter } from './api';
import { messages } from './messages';
import { startOfDayIso } from '../../../format';

/** Prefixes of the actions the API records (the filter takes any text too). */
const ACTION_PREFIXES = ['auth.', 'staff.', 'org_unit.', 'source.', 'write_key.', 'admin_token.', 'identity.', 'profile.', 'export.', 'wecom_connector.', 'stage_model.', 'segment.', 'tag.'];

interface Values {
  action?: string;
  actor?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

export function AuditFilters({ staff, onApply }: { staff: readonly Staff[]; onApply: (filter: AuditFilter) => void }) {
  const t = useT(messages);
  const c = useT(common);
  const f = useFormat();
  const [form] = Form.useForm<Values>();
  const actorOptions = useMemo(() => staff.map((s) => ({ value: `staff:${s.id}`, label: `${s.name} · ${s.username}` })), [staff]);

  const apply = (v: Values) => {
    const from = v.range?.[0]?.format('YYYY-MM-DD');
    const to = v.range?.[1]?.format('YYYY-MM-DD');
    onApply({
      action: v.action?.trim() || undefined,
      actor: v.actor?.trim() || undefined,
      from: startOfDayIso(from, f.timeZone),
      to: startOfDayIso(to, f.timeZone, 1),
    });
  };

  return (
    <Form<Values> form={form} layout="inline" onFinish={apply} style={{ marginBottom: 16, rowGap: 8 }}>
      <Form.Item name="action" tooltip={t('actionHint')}>
        <AutoComplete
          aria-label={t('action')}
          placeholder={t('actionPlaceholder')}
          options={ACTION_PREFIXES.map((p) => ({ value: p }))}
          filterOption={(input, option) => (option?.value ?? '').startsWith(input)}
          allowClear
          style={{ width: 200 }}
        />
      </Form.Item>
      <Form.Item name="actor">
        <AutoComplete
          aria-label={t('actor')}
          placeholder={t('actorPlaceholder')}
          options={actorOptions}
          filterOption={(input, option) => `${option?.label ?? ''} ${option?.value ?? ''}`.toLowerCase().includes(input.toLowerCase())}
          allowClear
          style={{ width: 250 }}
        />
      </Form.Item>
      <Form.Item name="range">
        <DatePicker.RangePicker aria-label={t('dateRange')} placeholder={[t('from'), t('to')]} allowEmpty={[true, true]} />
      </Form.Item>
      <Flex gap={8}>
        <Button type="primary" htmlType="submit">
          {t('search')}
        </Button>
        <Button
          onClick={() => {
            form.resetFields();
            onApply({});
          }}
        >
          {c('reset')}
        </Button>
      </Flex>
    </Form>
  );
}
