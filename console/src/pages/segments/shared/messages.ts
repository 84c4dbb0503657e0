import { defineMessages } from '../../../i18n';

/** Strings of the pieces shared by the segment and tag pages. */
export const sharedMessages = defineMessages({
  'zh-CN': {
    page: '第 {n} 页',
    prevPage: '上一页',
    nextPage: '下一页',
    pageSize: '每页条数',
    perPage: '{n} 条/页',
  },
  en: {
    page: 'Page {n}',
    prevPage: 'Previous page',
    nextPage: 'Next page',
    pageSize: 'Page size',
    perPage: '{n} / page',
  },
});
