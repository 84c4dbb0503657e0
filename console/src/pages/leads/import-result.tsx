import { Button, Col, Flex, Result, Row, Spin, Statistic, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { LeadImportResult } from '@contracts/lead-sources';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { importMessages } from './import-messages';

/** Seconds since the component appeared, ticking while `running`. */
function useElapsed(running: boolean): number {
  const [start] = useState(() => Date.now());
  const [now, setNow] = useState(start);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return Math.round((now - start) / 1000);
}

/**
 * The import while the server works (it answers once, at the end: the elapsed time is all there is
 * to show), then its counts, or the way back after a refusal.
 */
export function ImportProgress({
  pending,
  failed,
  rows,
  result,
  onAgain,
  onBack,
}: {
  pending: boolean;
  failed: boolean;
  rows: number;
  result: LeadImportResult | undefined;
  onAgain: () => void;
  onBack: () => void;
}) {
  const t = useT(importMessages);
  const f = useFormat();
  const elapsed = useElapsed(pending);

  if (pending) {
    return (
      <Flex vertical align="center" gap={12} style={{ padding: 32 }} data-testid="import-progress" aria-live="polite">
        <Spin size="large" />
        <Typography.Text>{t('importing', { n: f.number(rows) })}</Typography.Text>
        <Typography.Text type="secondary">{t('elapsed', { s: elapsed })}</Typography.Text>
      </Flex>
    );
  }
  if (failed || !result) {
    return (
      <Flex gap={8} justify="center">
        <Button type="primary" onClick={onBack}>
          {t('backToMapping')}
        </Button>
        <Button onClick={onAgain}>{t('otherFile')}</Button>
      </Flex>
    );
  }
  const stats: { key: keyof LeadImportResult; title: string }[] = [
    { key: 'rows', title: t('resRows') },
    { key: 'created', title: t('resCreated') },
    { key: 'new', title: t('resNew') },
    { key: 'merged', title: t('resMerged') },
    { key: 'duplicates', title: t('resDuplicates') },
    { key: 'existing', title: t('resExisting') },
  ];
  return (
    <div data-testid="import-result">
      <Result
        status="success"
        title={t('doneTitle', { n: f.number(result.created) })}
        subTitle={t('doneHint', { s: elapsed })}
        extra={[
          <Link key="leads" to="/leads">
            <Button type="primary">{t('viewLeads')}</Button>
          </Link>,
          <Button key="again" onClick={onAgain}>
            {t('importAnother')}
          </Button>,
        ]}
      />
      <Row gutter={[16, 16]} justify="center">
        {stats.map((s) => (
          <Col key={s.key} xs={12} md={4}>
            <Statistic title={s.title} value={f.number(result[s.key])} />
          </Col>
        ))}
      </Row>
    </div>
  );
}
