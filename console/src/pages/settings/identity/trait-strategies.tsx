import { Button, Card, Form, Input, Typography } from 'antd';
import { TRAIT_STRATEGIES } from '@contracts/identity';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useSetTraitStrategy, type TraitStrategy } from './api';
import { messages } from './messages';
import { FormSelect } from '../../../components/form-select';

interface Values {
  trait: string;
  strategy: TraitStrategy;
}

/**
 * Sets how a trait combines across sources. The API has no read of the current strategies, so this
 * is a set-only form.
 */
export function TraitStrategies() {
  const t = useT(messages);
  const notify = useNotify();
  const set = useSetTraitStrategy();
  const [form] = Form.useForm<Values>();
  return (
    <Card title={t('traitsTitle')} style={{ height: '100%' }}>
      <Typography.Paragraph type="secondary">{t('traitsHint')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ strategy: 'latest' }}
        onFinish={(v) =>
          set.mutate(
            { trait: v.trait.trim(), strategy: v.strategy },
            { onSuccess: (r) => notify.success(t('strategySet', { trait: v.trait.trim(), strategy: t(`strategy.${r.strategy}`) })), onError: notify.error },
          )
        }
      >
        <Form.Item name="trait" label={t('trait')} rules={[{ required: true, pattern: /^[A-Za-z_][A-Za-z0-9_]{0,62}$/, message: t('traitHint') }]}>
          <Input maxLength={63} placeholder={t('traitHint')} />
        </Form.Item>
        <Form.Item name="strategy" label={t('strategy')} rules={[{ required: true, message: t('required') }]}>
          <FormSelect options={TRAIT_STRATEGIES.map((s) => ({ value: s, label: t(`strategy.${s}`) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={set.isPending}>
          {t('setStrategy')}
        </Button>
      </Form>
    </Card>
  );
}
