export { ConditionBuilder } from './condition-builder';
export type { Condition } from './types';
