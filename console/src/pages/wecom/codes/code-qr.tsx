import { DownloadOutlined, LinkOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Skeleton, Space, Typography } from 'antd';
import { toDataURL } from 'qrcode';
import { useEffect, useState } from 'react';
import type { WecomChannelCode } from '@contracts/wecom-codes';
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

/**
 * The code to scan: WeCom's own QR image for a contact way; when that image cannot be loaded (or
 * for an acquisition link), a QR code generated from the address.
 */
export function CodeQr({ code }: { code: WecomChannelCode }) {
  const t = useT(messages);
  const [broken, setBroken] = useState(false);
  const wecomImage = code.kind === 'contact_way' ? code.qrCode : null;
  const target = code.kind === 'link' ? code.url : code.qrCode;
  const generate = code.kind === 'link' || broken || !wecomImage;
  const generated = useGeneratedQr(generate ? target : null);
  const alt = t('qrAlt', { name: code.name });

  if (!target) return <EmptyState description={t('qrNone')} />;
  const src = generate ? generated : wecomImage;
  return (
    <Flex vertical align="center" gap={12}>
      {src ? (
        <img
          data-testid="wecom-code-qr"
          src={src}
          alt={alt}
          width={SIZE}
          height={SIZE}
          style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: 8, background: '#fff' }}
          onError={() => setBroken(true)}
        />
      ) : (
        <Skeleton.Image active style={{ width: SIZE, height: SIZE }} />
      )}
      {broken ? <Alert type="warning" showIcon message={t('qrFallback')} style={{ maxWidth: 360 }} /> : null}
      <Typography.Text type="secondary" copyable={{ text: target }} ellipsis={{ tooltip: target }} style={{ maxWidth: 320 }}>
        {target}
      </Typography.Text>
      <Space wrap>
        {generated ? (
          <Button icon={<DownloadOutlined />} href={generated} download={`${code.state}.png`}>
            {t('qrDownload')}
          </Button>
        ) : null}
        {code.kind === 'link' && code.url ? (
          <Button icon={<LinkOutlined />} href={code.url} target="_blank" rel="noreferrer">
            {t('qrOpen')}
          </Button>
        ) : null}
      </Space>
    </Flex>
  );
}
