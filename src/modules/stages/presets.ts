import type { Condition } from '../../contracts/segments.js';
import type { Progression, StageDefinition, StagePreset } from '../../contracts/stages.js';

/**
 * Built-in operating models, written in the segment DSL over Siyu's standard event names
 * (docs/stages.md explains each rule). Tenants install them as they are and edit them by API.
 */

export interface PresetModel {
  key: string;
  name: string;
  description: string;
  progression: Progression;
  stages: StageDefinition[];
}

const any = (...conditions: Condition[]): Condition => ({ type: 'or', conditions });
const all = (...conditions: Condition[]): Condition => ({ type: 'and', conditions });
const did = (event: string): Condition => ({ type: 'event', event });
const didAny = (...events: string[]): Condition => any(...events.map(did));
const touched: Condition = { type: 'event' };
const ownsCar: Condition = { type: 'vehicle', roles: ['buyer', 'owner'], includePast: false };
const wecomFriend: Condition = { type: 'wecom_friend' };
const oaFollower: Condition = { type: 'oa_follower' };
const promoter: Condition = { type: 'event', event: 'NPS Submitted', where: [{ property: 'score', op: 'gte', value: 9 }] };
const contentEngaged: Condition = { type: 'event', event: 'Content Viewed', count: { op: 'at_least', value: 3 }, window: { lastDays: 90 } };
const bought: Condition = any(didAny('Order Placed', 'Vehicle Delivered'), ownsCar);

const stage = (key: string, name: string, nameZh: string, description: string, condition: Condition): StageDefinition => ({
  key,
  name,
  nameZh,
  description,
  condition,
});

const FIVE_A: PresetModel = {
  key: 'five_a',
  name: '5A',
  description: 'Kotler 5A, the auto-industry measure: Aware → Appeal → Ask → Act → Advocate (了解 → 吸引 → 问询 → 行动 → 拥护)',
  progression: 'highest_match',
  stages: [
    stage('A1', 'Aware', '了解', 'Any touch: performed any event at least once', touched),
    stage(
      'A2',
      'Appeal',
      '吸引',
      'Viewed content 3+ times in the last 90 days, follows an official account, or is a WeCom friend of a consultant',
      any(contentEngaged, oaFollower, wecomFriend),
    ),
    stage('A3', 'Ask', '问询', 'Ever left a lead, asked for a price, booked or took a test drive, or visited a store', didAny('Lead Created', 'Price Inquiry', 'Test Drive Booked', 'Test Drive Completed', 'Store Visited')),
    stage('A4', 'Act', '行动', 'Ever placed an order or took delivery, or is the current buyer or owner of a vehicle', bought),
    stage('A5', 'Advocate', '拥护', 'Ever referred someone, gave an NPS score of 9 or 10, or posted a review', any(did('Referral Made'), promoter, did('Review Posted'))),
  ],
};

const AARRR: PresetModel = {
  key: 'aarrr',
  name: 'AARRR',
  description: 'Pirate metrics: Acquisition → Activation → Retention → Revenue → Referral (引流 → 激活 → 留存 → 收益 → 传播)',
  progression: 'highest_match',
  stages: [
    stage('acquisition', 'Acquisition', '引流', 'Any touch: performed any event at least once', touched),
    stage('activation', 'Activation', '激活', 'Signed up, is a WeCom friend of a consultant, or left a phone number (trait phone)', any(did('Signed Up'), wecomFriend, { type: 'trait', trait: 'phone', op: 'exists' })),
    stage(
      'retention',
      'Retention',
      '留存',
      'Came back in the last 90 days: viewed content 3+ times, opened the mini-program twice, or visited a store, took a test drive or had a service',
      any(
        contentEngaged,
        { type: 'event', event: 'Mini Program Opened', count: { op: 'at_least', value: 2 }, window: { lastDays: 90 } },
        ...['Store Visited', 'Test Drive Completed', 'Service Completed'].map((event): Condition => ({ type: 'event', event, window: { lastDays: 90 } })),
      ),
    ),
    stage('revenue', 'Revenue', '收益', 'Ever placed an order, took delivery or had a service completed', didAny('Order Placed', 'Vehicle Delivered', 'Service Completed')),
    stage('referral', 'Referral', '传播', 'Ever referred someone', did('Referral Made')),
  ],
};

const AIPL: PresetModel = {
  key: 'aipl',
  name: 'AIPL',
  description: 'Awareness → Interest → Purchase → Loyalty (认知 → 兴趣 → 购买 → 忠诚)',
  progression: 'highest_match',
  stages: [
    stage('awareness', 'Awareness', '认知', 'Any touch: performed any event at least once', touched),
    stage(
      'interest',
      'Interest',
      '兴趣',
      'Viewed content 3+ times in the last 90 days, follows an official account, is a WeCom friend, or ever left a lead, asked for a price or booked a test drive',
      any(contentEngaged, oaFollower, wecomFriend, didAny('Lead Created', 'Price Inquiry', 'Test Drive Booked')),
    ),
    stage('purchase', 'Purchase', '购买', 'Ever placed an order or took delivery, or is the current buyer or owner of a vehicle', bought),
    stage(
      'loyalty',
      'Loyalty',
      '忠诚',
      'Bought, and came back: a completed service, a second order, a referral or an NPS score of 9 or 10',
      all(bought, any(did('Service Completed'), { type: 'event', event: 'Order Placed', count: { op: 'at_least', value: 2 } }, did('Referral Made'), promoter)),
    ),
  ],
};

export const PRESETS: Record<StagePreset, PresetModel> = { '5a': FIVE_A, aarrr: AARRR, aipl: AIPL };

/** The preset a tenant without any model gets, as its default. */
export const DEFAULT_PRESET: StagePreset = '5a';
