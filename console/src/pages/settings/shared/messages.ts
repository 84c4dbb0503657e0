import { defineMessages } from '../../../i18n';

/** Words shared by the settings pages. */
export const sharedMessages = defineMessages({
  'zh-CN': { expand: '展开详情', collapse: '收起详情' },
  en: { expand: 'Show details', collapse: 'Hide details' },
});
