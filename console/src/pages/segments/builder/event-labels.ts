import { STANDARD_EVENTS } from '@contracts/vocabulary';
import { useLocale, type Locale } from '../../../i18n';

type EventKey = keyof typeof STANDARD_EVENTS;

/** Chinese names of the standard track events; the English name is the event name itself. */
const ZH: Record<EventKey, string> = {
  contentViewed: '浏览内容',
  oaFollowed: '关注公众号',
  oaUnfollowed: '取关公众号',
  wecomContactAdded: '添加企微好友',
  wecomContactRemoved: '删除企微好友',
  miniProgramOpened: '打开小程序',
  signedUp: '注册',
  leadCreated: '产生线索',
  leadAssigned: '线索分配',
  leadDefeated: '线索战败',
  priceInquiry: '询价',
  testDriveBooked: '预约试驾',
  testDriveCompleted: '完成试驾',
  storeVisited: '到店',
  orderPlaced: '下订',
  vehicleDelivered: '交车',
  serviceCompleted: '完成售后服务',
  referralMade: '推荐购车',
  npsSubmitted: '提交 NPS 评分',
  reviewPosted: '发布点评',
};

function isEventKey(key: string): key is EventKey {
  return key in STANDARD_EVENTS;
}

export interface EventOption {
  value: string;
  label: string;
}

export function eventOptions(locale: Locale): EventOption[] {
  return Object.entries(STANDARD_EVENTS).map(([key, name]) => ({
    value: name,
    label: locale === 'zh-CN' && isEventKey(key) ? `${ZH[key]} (${name})` : name,
  }));
}

/** The standard events as Select options in the current language (searchable by either name). */
export function useEventOptions(): EventOption[] {
  return eventOptions(useLocale());
}
