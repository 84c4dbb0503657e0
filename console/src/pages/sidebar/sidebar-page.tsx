import { SwapOutlined } from '@ant-design/icons';
import { Button, ConfigProvider, Flex, Spin, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { ErrorState } from '../../components/page-state';
import { useT } from '../../i18n';
import { LanguageSwitch } from '../../layout/shell';
import { CustomerPicker } from './customer-picker';
import { messages } from './messages';
import { SidebarView } from './sidebar-view';
import { currentExternalContact, inWecom, WecomSdkError } from './wecom-jssdk';

/**
 * Darker blue and grey than antd's defaults: the sidebar's small text on a grey page must still
 * read at AA contrast inside the WeCom client.
 */
const SIDEBAR_THEME = { token: { colorPrimary: '#0958d9', colorLink: '#0958d9', colorTextDescription: 'rgba(0, 0, 0, 0.65)', colorTextTertiary: 'rgba(0, 0, 0, 0.6)' } };

/**
 * The consultant sidebar (聊天工具栏): what WeCom shows beside a chat with a customer, about 360 px
 * wide. Inside WeCom the customer is the chat's (JS-SDK); in a browser, the one named in the URL
 * (`?externalUserId=&connectorId=`) or picked by a search.
 */
export function SidebarPage() {
  const t = useT(messages);
  const [params, setParams] = useSearchParams();
  const connectorId = params.get('connectorId') || undefined;
  const wecom = inWecom();
  const urlCustomer = wecom ? undefined : params.get('externalUserId')?.trim() || undefined;

  const pick = (externalUserId: string | null) => {
    const next = new URLSearchParams(params);
    if (externalUserId) next.set('externalUserId', externalUserId);
    else next.delete('externalUserId');
    setParams(next);
  };

  return (
    <ConfigProvider theme={SIDEBAR_THEME}>
      <div data-testid="sidebar" style={{ maxWidth: 520, margin: '0 auto', padding: 8, boxSizing: 'border-box', minHeight: '100vh', background: '#f5f5f5' }}>
        <Flex component="header" align="center" justify="space-between" gap={8} style={{ marginBottom: 8 }}>
          <Typography.Title level={1} style={{ fontSize: 16, margin: 0 }} ellipsis>
            {t('title')}
          </Typography.Title>
          <Flex align="center" gap={4}>
            {urlCustomer ? (
              <Button size="small" type="text" icon={<SwapOutlined />} aria-label={t('changeCustomer')} title={t('changeCustomer')} onClick={() => pick(null)} />
            ) : null}
            <LanguageSwitch />
          </Flex>
        </Flex>
        <main>
          {wecom ? (
            <WecomChatCustomer connectorId={connectorId} />
          ) : urlCustomer ? (
            <SidebarView externalUserId={urlCustomer} connectorId={connectorId} />
          ) : (
            <CustomerPicker onPick={pick} />
          )}
        </main>
      </div>
    </ConfigProvider>
  );
}

/** Inside WeCom: the customer of the current chat, through the JS-SDK. */
function WecomChatCustomer({ connectorId }: { connectorId: string | undefined }) {
  const t = useT(messages);
  const contact = useQuery({
    queryKey: ['wecom-chat-contact', connectorId],
    queryFn: () => currentExternalContact(connectorId),
    retry: false,
    staleTime: Infinity,
  });
  if (contact.isPending) {
    return (
      <Flex vertical align="center" gap={8} style={{ padding: 32 }}>
        <Spin />
        <Typography.Text type="secondary">{t('sdkLoading')}</Typography.Text>
      </Flex>
    );
  }
  if (contact.isError) {
    const e = contact.error;
    const message = e.message;
    const text =
      e instanceof WecomSdkError
        ? {
            script: t('sdkScript'),
            signature: t('sdkSignature', { message }),
            config: t('sdkConfig', { message }),
            contact: t('sdkContact', { message }),
            no_contact: t('sdkNoContact'),
          }[e.reason]
        : message;
    return <ErrorState error={new Error(text)} onRetry={() => void contact.refetch()} />;
  }
  return <SidebarView externalUserId={contact.data} connectorId={connectorId} />;
}
