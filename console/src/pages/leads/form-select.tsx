import { Select, type SelectProps } from 'antd';

/**
 * A Select for a required Form.Item. The item marks its control `aria-required`, which antd's Select
 * puts on its outer div (not a form control: axe reports it); the item's label already says required.
 */
export function FormSelect<V extends string>({ 'aria-required': _required, ...props }: SelectProps<V> & { 'aria-required'?: boolean | 'true' | 'false' }) {
  return <Select<V> {...props} />;
}
