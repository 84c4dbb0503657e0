import { defineMessages } from '../i18n';

/** Strings of the shared components. */
export const componentMessages = defineMessages({
  'zh-CN': {
    page: '第 {n} 页',
    prevPage: '上一页',
    nextPage: '下一页',
    prevPageLong: '上一页',
    nextPageLong: '下一页',
    pageSize: '每页条数',
    rowsPerPage: '每页条数',
    perPage: '{n} 条/页',
  },
  en: {
    page: 'Page {n}',
    prevPage: 'Previous',
    nextPage: 'Next',
    prevPageLong: 'Previous page',
    nextPageLong: 'Next page',
    pageSize: 'Page size',
    rowsPerPage: 'Rows per page',
    perPage: '{n} / page',
  },
});
