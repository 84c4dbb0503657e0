import type { LeadStatus } from '@contracts/funnel';

/** A colour per lead status: the funnel from blue to green, closed leads red or grey. */
export const STATUS_COLOR: Record<LeadStatus, string> = {
  new: 'default',
  assigned: 'blue',
  contacted: 'cyan',
  invited: 'geekblue',
  visited: 'purple',
  test_drive: 'magenta',
  ordered: 'gold',
  invoiced: 'orange',
  delivered: 'green',
  defeated: 'red',
  invalid: 'default',
};
