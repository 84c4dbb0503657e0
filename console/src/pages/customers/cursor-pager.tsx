import { Button, Flex, Select, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useT } from '../../i18n';
import { messages } from './messages';

export const PAGE_SIZES = [20, 50, 100] as const;

/** The cursors of the pages seen so far of a cursor-paged list, to step back. */
export function useCursorPages(initialLimit: number = PAGE_SIZES[0]) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [limit, setLimitState] = useState(initialLimit);
  // Back to the first page; keeps the same state when already there, so an effect may call it.
  const reset = useCallback(() => setCursors((c) => (c.length === 1 && c[0] === undefined ? c : [undefined])), []);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    limit,
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    prev: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset,
    setLimit: (n: number) => {
      setLimitState(n);
      setCursors([undefined]);
    },
  };
}

export interface PagerProps {
  page: number;
  canPrev: boolean;
  nextCursor: string | null | undefined;
  loading?: boolean;
  limit: number;
  onPrev: () => void;
  onNext: (cursor: string) => void;
  onLimit: (n: number) => void;
}

/** Previous / next over a cursor-paged list, with the page size. */
export function CursorPager({ page, canPrev, nextCursor, loading, limit, onPrev, onNext, onLimit }: PagerProps) {
  const t = useT(messages);
  return (
    <Flex justify="flex-end" align="center" gap={8} wrap style={{ marginTop: 12 }}>
      <Typography.Text type="secondary">{t('page', { n: page })}</Typography.Text>
      <Button disabled={!canPrev || loading} onClick={onPrev}>
        {t('prevPage')}
      </Button>
      <Button disabled={!nextCursor || loading} onClick={() => nextCursor && onNext(nextCursor)}>
        {t('nextPage')}
      </Button>
      <Select
        aria-label={t('pageSize')}
        value={limit}
        onChange={onLimit}
        style={{ width: 110 }}
        options={PAGE_SIZES.map((n) => ({ value: n, label: t('perPage', { n }) }))}
      />
    </Flex>
  );
}
