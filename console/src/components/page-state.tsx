import { Alert, Button, Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { common } from '../i18n/common';
import { useT } from '../i18n';

/** The error of a failed query or action, with the API's own message and a retry. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT(common);
  const status = error instanceof ApiError ? error.status : 0;
  const title = status === 403 ? t('forbiddenTitle') : status === 404 ? t('notFoundTitle') : t('errorTitle');
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Result
      status={status === 403 ? '403' : status === 404 ? '404' : 'error'}
      title={title}
      subTitle={message}
      extra={onRetry ? <Button onClick={onRetry}>{t('retry')}</Button> : null}
    />
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  const t = useT(common);
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return <Alert type="error" showIcon message={t('errorTitle')} description={message} />;
}

export function EmptyState({ description }: { description?: ReactNode }) {
  const t = useT(common);
  return <Empty description={description ?? t('empty')} />;
}

/** Loading, error and empty states of one query, then its content. */
export function QueryState<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Skeleton active />;
  if (query.isError || query.data === undefined) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <EmptyState description={empty} />;
  return <>{children(query.data)}</>;
}
