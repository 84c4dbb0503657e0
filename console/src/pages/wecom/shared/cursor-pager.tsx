import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useT } from '../../../i18n';
import { wecomShared } from './messages';

/** The cursors of the pages seen so far, so "previous" goes back without the server keeping state. */
export function useCursorPages() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const next = useCallback((cursor: string) => setStack((s) => [...s, cursor]), []);
  const prev = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([undefined]), []);
  return { cursor: stack[stack.length - 1], page: stack.length, next, prev, reset };
}

export function CursorPager({ pages, nextCursor }: { pages: ReturnType<typeof useCursorPages>; nextCursor: string | null | undefined }) {
  const t = useT(wecomShared);
  return (
    <Flex justify="flex-end" align="center" gap={8} style={{ marginTop: 12 }}>
      <Button size="small" icon={<LeftOutlined />} disabled={pages.page <= 1} onClick={pages.prev}>
        {t('prevPage')}
      </Button>
      <Typography.Text type="secondary">{t('pageN', { n: pages.page })}</Typography.Text>
      <Button size="small" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        {t('nextPage')}
        <RightOutlined />
      </Button>
    </Flex>
  );
}
