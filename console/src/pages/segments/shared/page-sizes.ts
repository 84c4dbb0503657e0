/** The page sizes offered on the segment and tag pages' lists. */
export const SEGMENT_PAGE_SIZES = [10, 20, 50, 100] as const;
