import { createContext, useContext } from 'react';
import type { Condition } from './types';

export type ConditionKind = Condition['type'];

/** Every kind of the DSL, in the order the type menu offers them (groups last). */
export const CONDITION_KINDS = [
  'event',
  'tag',
  'trait',
  'last_event',
  'stage',
  'vehicle',
  'wecom_friend',
  'oa_follower',
  'consent',
  'first_touch',
  'and',
  'or',
  'not',
] as const satisfies readonly ConditionKind[];

/**
 * A fresh node of a kind. Some are not yet complete (a tag before one is chosen): the page checks
 * the whole tree with segmentDefinitionSchema before it asks the API.
 */
export function defaultCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case 'and':
    case 'or':
      return { type: kind, conditions: [defaultCondition('event')] };
    case 'not':
      return { type: 'not', condition: defaultCondition('event') };
    case 'trait':
      return { type: 'trait', trait: '', op: 'exists' };
    case 'event':
      return { type: 'event', count: { op: 'at_least', value: 1 }, window: { lastDays: 30 } };
    case 'last_event':
      return { type: 'last_event', op: 'after', daysAgo: 30 };
    case 'tag':
      return { type: 'tag', tag: '', has: true };
    case 'stage':
      return { type: 'stage', model: '', stages: [] };
    case 'vehicle':
      return { type: 'vehicle', includePast: false };
    case 'wecom_friend':
      return { type: 'wecom_friend' };
    case 'oa_follower':
      return { type: 'oa_follower' };
    case 'consent':
      return { type: 'consent', channel: 'wecom', purpose: 'marketing', state: 'granted' };
    case 'first_touch':
      return { type: 'first_touch', domainClasses: ['absolute'] };
  }
}

/** Whether the whole builder is read-only. */
export const DisabledContext = createContext(false);
export function useDisabled(): boolean {
  return useContext(DisabledContext);
}
