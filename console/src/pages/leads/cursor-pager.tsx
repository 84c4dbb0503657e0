import { Button, Flex, Select, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../i18n';
import { listMessages } from './list-messages';

export const PAGE_SIZES = [20, 50, 100] as const;

/** Pages of a cursor-paged list: the cursors of the pages seen so far, to go back. */
export function useCursorPages(initialLimit = 20) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [limit, setLimitState] = useState(initialLimit);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    limit,
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    prev: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    setLimit: (n: number) => {
      setLimitState(n);
      setCursors([undefined]);
    },
  };
}

export function CursorPager({ pages, nextCursor, loading }: { pages: ReturnType<typeof useCursorPages>; nextCursor: string | null | undefined; loading?: boolean }) {
  const t = useT(listMessages);
  return (
    <Flex justify="flex-end" align="center" gap={8} style={{ marginTop: 12 }}>
      <Typography.Text type="secondary">{t('page', { n: pages.page })}</Typography.Text>
      <Button disabled={pages.page <= 1 || loading} onClick={pages.prev}>
        {t('prevPage')}
      </Button>
      <Button disabled={!nextCursor || loading} onClick={() => nextCursor && pages.next(nextCursor)}>
        {t('nextPage')}
      </Button>
      <Select
        aria-label={t('pageSize')}
        value={pages.limit}
        onChange={pages.setLimit}
        style={{ width: 110 }}
        options={PAGE_SIZES.map((n) => ({ value: n, label: t('perPage', { n }) }))}
      />
    </Flex>
  );
}
