import { Select, type SelectProps } from 'antd';

type Props<V> = SelectProps<V> & { 'aria-required'?: boolean | 'true' | 'false' };

/**
 * A Select inside a required Form.Item. The Form.Item hands its control `aria-required`, which antd's
 * Select also puts on its wrapping div, where ARIA does not allow it (axe: aria-allowed-attr); the
 * required rule and its message still apply.
 */
export function FormSelect<V = string>(props: Props<V>) {
  const { 'aria-required': _required, ...rest } = props;
  return <Select<V> {...rest} />;
}
