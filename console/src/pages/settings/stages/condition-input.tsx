import type { Condition } from '@contracts/segments';
import { ConditionBuilder } from '../../segments/builder';
import { emptyCondition } from './draft';

/**
 * The segments' condition builder as a form control: Form.Item hands it `value` and `onChange`, so a
 * stage's condition is edited exactly as a segment's.
 */
export function ConditionInput({ value, onChange, disabled }: { value?: Condition; onChange?: (next: Condition) => void; disabled?: boolean }) {
  return <ConditionBuilder value={value ?? emptyCondition()} onChange={(next) => onChange?.(next)} disabled={disabled} />;
}
