import { Form, Input, Radio } from 'antd';
import { useT } from '../../../i18n';
import { wecomShared } from './messages';

/**
 * The welcome message's fields under `name` (a text, and a link or mini-program card), as a
 * channel code's create form and the welcome message editor share them.
 */
export function WelcomeFields({ name }: { name: string }) {
  const t = useT(wecomShared);
  const form = Form.useFormInstance();
  const kind: unknown = Form.useWatch([name, 'attachmentType'], form);
  const required = [{ required: true, message: t('required') }];
  return (
    <>
      <Form.Item name={[name, 'text']} label={t('welcomeText')} extra={t('welcomeTextHelp')}>
        <Input.TextArea rows={4} maxLength={4000} showCount aria-label={t('welcomeText')} />
      </Form.Item>
      <Form.Item name={[name, 'attachmentType']} label={t('attachmentType')} initialValue="none">
        <Radio.Group
          aria-label={t('attachmentType')}
          options={[
            { value: 'none', label: t('attachmentNone') },
            { value: 'link', label: t('attachmentLink') },
            { value: 'miniprogram', label: t('attachmentMiniprogram') },
          ]}
        />
      </Form.Item>
      {kind === 'link' || kind === 'miniprogram' ? (
        <Form.Item name={[name, 'title']} label={t('linkTitle')} rules={required}>
          <Input maxLength={128} aria-label={t('linkTitle')} />
        </Form.Item>
      ) : null}
      {kind === 'link' ? (
        <>
          <Form.Item name={[name, 'url']} label={t('linkUrl')} rules={[...required, { type: 'url', message: t('linkUrl') }]}>
            <Input placeholder={t('urlPlaceholder')} aria-label={t('linkUrl')} />
          </Form.Item>
          <Form.Item name={[name, 'desc']} label={t('linkDesc')}>
            <Input maxLength={512} aria-label={t('linkDesc')} />
          </Form.Item>
          <Form.Item name={[name, 'picUrl']} label={t('linkPic')}>
            <Input placeholder={t('urlPlaceholder')} aria-label={t('linkPic')} />
          </Form.Item>
        </>
      ) : null}
      {kind === 'miniprogram' ? (
        <>
          <Form.Item name={[name, 'appId']} label={t('mpAppId')} rules={required}>
            <Input aria-label={t('mpAppId')} />
          </Form.Item>
          <Form.Item name={[name, 'page']} label={t('mpPage')} rules={required}>
            <Input placeholder={t('mpPagePlaceholder')} aria-label={t('mpPage')} />
          </Form.Item>
          <Form.Item name={[name, 'picMediaId']} label={t('mpPic')} rules={required}>
            <Input aria-label={t('mpPic')} />
          </Form.Item>
        </>
      ) : null}
    </>
  );
}
