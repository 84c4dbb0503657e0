import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Flex, Select, Typography } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import { useT } from '../i18n';
import { componentMessages } from './messages';

/** The page sizes offered by default. */
export const PAGE_SIZES = [20, 50, 100] as const;

/** The pages of a cursor-paged list kept in memory: the cursors of the pages seen so far, to step back. */
export interface CursorPages {
  /** The cursor of the current page (undefined on the first). */
  cursor: string | undefined;
  /** The current page, from 1. */
  page: number;
  limit: number;
  next: (cursor: string) => void;
  prev: () => void;
  /** Back to the first page; keeps the same state when already there, so an effect may call it. */
  reset: () => void;
  /** A new page size, from the first page. */
  setLimit: (n: number) => void;
}

export function useCursorPages(initialLimit: number = PAGE_SIZES[0]): CursorPages {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [limit, setLimitState] = useState(initialLimit);
  const next = useCallback((cursor: string) => setCursors((c) => [...c, cursor]), []);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  const reset = useCallback(() => setCursors((c) => (c.length === 1 && c[0] === undefined ? c : [undefined])), []);
  const setLimit = useCallback((n: number) => {
    setLimitState(n);
    setCursors([undefined]);
  }, []);
  return useMemo(
    () => ({ cursor: cursors[cursors.length - 1], page: cursors.length, limit, next, prev, reset, setLimit }),
    [cursors, limit, next, prev, reset, setLimit],
  );
}

/**
 * How the pager looks: `text` has buttons with words; `arrows` has small buttons with an arrow and
 * a word, the page number between them; `icons` has small arrow-only buttons (labelled for screen
 * readers and on hover).
 */
export type CursorPagerVariant = 'text' | 'arrows' | 'icons';

export interface CursorPagerPageSize {
  limit: number;
  onChange: (n: number) => void;
  /** The sizes offered; PAGE_SIZES by default. */
  options?: readonly number[];
  /** The select's accessible name: "page size" (default) or "rows per page". */
  label?: 'pageSize' | 'rowsPerPage';
}

export interface CursorPagerControlsProps {
  /** The current page, from 1. */
  page: number;
  /** Whether there is a page before this one; by default when page > 1. */
  canPrev?: boolean;
  nextCursor: string | null | undefined;
  /** While a page loads, the buttons are disabled. */
  loading?: boolean;
  onPrev: () => void;
  onNext: (cursor: string) => void;
  /** A page size select, when given. */
  pageSize?: CursorPagerPageSize;
  variant?: CursorPagerVariant;
}

/** Previous / next over a cursor-paged list whose cursors the caller keeps (e.g. in the URL). */
export function CursorPagerControls({ page, canPrev = page > 1, nextCursor, loading, onPrev, onNext, pageSize, variant = 'text' }: CursorPagerControlsProps) {
  const t = useT(componentMessages);
  const small = variant !== 'text';
  const pageText = <Typography.Text type="secondary">{t('page', { n: page })}</Typography.Text>;
  const prevDisabled = !canPrev || loading;
  const nextDisabled = !nextCursor || loading;
  const goNext = () => {
    if (nextCursor) onNext(nextCursor);
  };
  return (
    <Flex justify="flex-end" align="center" gap={8} wrap style={{ marginTop: 12 }}>
      {variant === 'arrows' ? (
        <>
          <Button size="small" icon={<LeftOutlined />} disabled={prevDisabled} onClick={onPrev}>
            {t('prevPage')}
          </Button>
          {pageText}
          <Button size="small" disabled={nextDisabled} onClick={goNext}>
            {t('nextPage')}
            <RightOutlined />
          </Button>
        </>
      ) : variant === 'icons' ? (
        <>
          {pageText}
          <Button size="small" icon={<LeftOutlined />} aria-label={t('prevPageLong')} title={t('prevPageLong')} disabled={prevDisabled} onClick={onPrev} />
          <Button size="small" icon={<RightOutlined />} aria-label={t('nextPageLong')} title={t('nextPageLong')} disabled={nextDisabled} onClick={goNext} />
        </>
      ) : (
        <>
          {pageText}
          <Button disabled={prevDisabled} onClick={onPrev}>
            {t('prevPage')}
          </Button>
          <Button disabled={nextDisabled} onClick={goNext}>
            {t('nextPage')}
          </Button>
        </>
      )}
      {pageSize ? (
        <Select<number>
          size={small ? 'small' : undefined}
          aria-label={t(pageSize.label ?? 'pageSize')}
          value={pageSize.limit}
          onChange={pageSize.onChange}
          style={{ width: 110 }}
          options={(pageSize.options ?? PAGE_SIZES).map((n) => ({ value: n, label: t('perPage', { n }) }))}
        />
      ) : null}
    </Flex>
  );
}

export interface CursorPagerProps {
  pages: CursorPages;
  nextCursor: string | null | undefined;
  loading?: boolean;
  variant?: CursorPagerVariant;
  /** Whether to offer a page size select (default true). */
  withPageSize?: boolean;
  /** The sizes offered; PAGE_SIZES by default. */
  pageSizes?: readonly number[];
  pageSizeLabel?: CursorPagerPageSize['label'];
}

/** Previous / next over a cursor-paged list whose cursors `useCursorPages` keeps. */
export function CursorPager({ pages, nextCursor, loading, variant, withPageSize = true, pageSizes, pageSizeLabel }: CursorPagerProps) {
  return (
    <CursorPagerControls
      page={pages.page}
      nextCursor={nextCursor}
      loading={loading}
      onPrev={pages.prev}
      onNext={pages.next}
      variant={variant}
      pageSize={withPageSize ? { limit: pages.limit, onChange: pages.setLimit, options: pageSizes, label: pageSizeLabel } : undefined}
    />
  );
}
