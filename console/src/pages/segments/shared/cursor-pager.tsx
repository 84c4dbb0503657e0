import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Flex, Select, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useT } from '../../../i18n';
import { sharedMessages } from './messages';

/** Pages read with a server cursor: the cursors of the pages so far, to go back and forth. */
export function useCursorPages(initialSize = 20) {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const [size, setSize] = useState(initialSize);
  const after = stack[stack.length - 1];
  const next = useCallback((cursor: string) => setStack((s) => [...s, cursor]), []);
  const prev = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const changeSize = useCallback((n: number) => {
    setSize(n);
    setStack([undefined]);
  }, []);
  return { after, page: stack.length, size, next, prev, changeSize };
}

/** Previous / next for a cursor-paginated table, with the page size. */
export function CursorPager({
  pages,
  nextCursor,
  loading,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  loading?: boolean;
}) {
  const t = useT(sharedMessages);
  return (
    <Flex justify="flex-end" align="center" gap={8} style={{ marginTop: 12 }}>
      <Typography.Text type="secondary">{t('page', { n: pages.page })}</Typography.Text>
      <Button size="small" icon={<LeftOutlined />} aria-label={t('prevPage')} title={t('prevPage')} disabled={pages.page <= 1 || loading} onClick={pages.prev} />
      <Button
        size="small"
        icon={<RightOutlined />}
        aria-label={t('nextPage')}
        title={t('nextPage')}
        disabled={!nextCursor || loading}
        onClick={() => {
          if (nextCursor) pages.next(nextCursor);
        }}
      />
      <Select
        size="small"
        aria-label={t('pageSize')}
        value={pages.size}
        onChange={pages.changeSize}
        options={[10, 20, 50, 100].map((n) => ({ value: n, label: t('perPage', { n }) }))}
        style={{ width: 110 }}
      />
    </Flex>
  );
}
