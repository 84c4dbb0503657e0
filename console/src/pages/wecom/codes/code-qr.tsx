import { DownloadOutlined, LinkOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Skeleton, Space, Typography } from 'antd';
import { toDataURL } from 'qrcode';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { WecomChannelCode } from '@contracts/wecom-codes';
import { api } from '../../../api/client';
import { useT } from '../../../i18n';
import { EmptyState } from '../../../components/page-state';
import { messages } from './messages';

const SIZE = 220;

/** A QR code of `text` as a data: URL, drawn in the browser. */
function useGeneratedQr(text: string | null): string | null {
  const [url, setUrl] = useState<{ text: string; dataUrl: string } | null>(null);
  useEffect(() => {
    if (!text) return;
    let live = true;
    toDataURL(text, { width: SIZE * 2, margin: 1, errorCorrectionLevel: 'M' })
      .then((dataUrl) => {
        if (live) setUrl({ text, dataUrl });
      })
      .catch(() => {
        if (live) setUrl(null);
      });
    return () => {
      live = false;
    };
  }, [text]);
  return url && url.text === text ? url.dataUrl : null;
}

const qrStyle = { border: '1px solid #f0f0f0', borderRadius: 8, padding: 8, background: '#fff' } as const;

/** WeCom's QR image of a contact way, through Siyu, as an object URL; or why it could not be had. */
function useWecomQr(codeId: string | null): { url: string | null; error: string | null } {
  const query = useQuery({
    queryKey: ['wecom', 'channel-code-qr', codeId],
    queryFn: ({ signal }) => api.blob(`/api/v1/wecom/channel-codes/${encodeURIComponent(codeId ?? '')}/qr`, { signal }),
    enabled: codeId !== null,
    retry: false,
    staleTime: 60 * 60_000,
  });
  const [url, setUrl] = useState<{ blob: Blob; url: string } | null>(null);
  useEffect(() => {
    if (!query.data) return;
    const objectUrl = URL.createObjectURL(query.data);
    setUrl({ blob: query.data, url: objectUrl });
    return () => URL.revokeObjectURL(objectUrl);
  }, [query.data]);
  return { url: url && url.blob === query.data ? url.url : null, error: query.error ? query.error.message : null };
}

/**
 * The code to scan: for a contact way, WeCom's own QR image, which Siyu fetches from WeCom and serves
 * from its own origin (the page's Content-Security-Policy trusts no image host); for an acquisition
 * link, a QR code of the link drawn in the browser.
 */
export function CodeQr({ code }: { code: WecomChannelCode }) {
  const t = useT(messages);
  const linkUrl = code.kind === 'link' ? code.url : null;
  const generated = useGeneratedQr(linkUrl);
  const wecom = useWecomQr(!linkUrl && code.qrCode ? code.id : null);
  const alt = t('qrAlt', { name: code.name });
  const target = linkUrl ?? code.qrCode;

  if (!target) return <EmptyState description={t('qrNone')} />;
  const broken = wecom.error !== null;
  const src = linkUrl ? generated : wecom.url;
  return (
    <Flex vertical align="center" gap={12}>
      {broken ? (
        <Alert data-testid="wecom-code-qr-failed" type="warning" showIcon message={t('qrFailed')} description={wecom.error} style={{ maxWidth: 360 }} />
      ) : src ? (
        <img data-testid="wecom-code-qr" src={src} alt={alt} width={SIZE} height={SIZE} style={qrStyle} />
      ) : (
        <Skeleton.Image active style={{ width: SIZE, height: SIZE }} />
      )}
      <Typography.Text type="secondary" copyable={{ text: target }} ellipsis={{ tooltip: target }} style={{ maxWidth: 320 }}>
        {target}
      </Typography.Text>
      <Space wrap>
        {src && !broken ? (
          <Button icon={<DownloadOutlined />} href={src} download={`${code.state}.png`}>
            {t('qrDownload')}
          </Button>
        ) : null}
        {linkUrl ? (
          <Button icon={<LinkOutlined />} href={linkUrl} target="_blank" rel="noreferrer">
            {t('qrOpen')}
          </Button>
        ) : null}
        {broken && code.qrCode ? (
          <Button icon={<LinkOutlined />} href={code.qrCode} target="_blank" rel="noreferrer">
            {t('qrOpenWecom')}
          </Button>
        ) : null}
      </Space>
    </Flex>
  );
}
