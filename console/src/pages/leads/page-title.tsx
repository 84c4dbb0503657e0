import { Flex, Typography } from 'antd';
import type { ReactNode } from 'react';

/** The title and subtitle of a leads page; with `extra` (view switch, filters) on the right of them. */
export function PageTitle({ title, subtitle, extra }: { title: string; subtitle: string; extra?: ReactNode }) {
  const heading = (
    <div>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      <Typography.Text type="secondary">{subtitle}</Typography.Text>
    </div>
  );
  if (extra === undefined) return heading;
  return (
    <Flex justify="space-between" align="center" wrap gap={8}>
      {heading}
      {extra}
    </Flex>
  );
}
