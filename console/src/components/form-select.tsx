import { Select, type SelectProps } from 'antd';

export type FormSelectProps<V> = SelectProps<V> & { 'aria-required'?: boolean | 'true' | 'false' };

/**
 * A Select inside a required Form.Item. The Form.Item hands its control `aria-required`, which antd's
 * Select also puts on its wrapping div, where ARIA does not allow it (axe: aria-allowed-attr); the
 * item's label already says required, and the required rule and its message still apply.
 */
export function FormSelect<V = string>({ 'aria-required': _required, ...props }: FormSelectProps<V>) {
  return <Select<V> {...props} />;
}
