import { Flex, Typography } from 'antd';
import type { ReactNode } from 'react';

/** The title row of a WeCom list page: title and intro on the left, filters and actions on the right. */
export function WecomPageHeader({ title, intro, extra }: { title: string; intro: string; extra?: ReactNode }) {
  return (
    <Flex justify="space-between" align="center" wrap gap={12}>
      <div style={{ maxWidth: 900 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        <Typography.Text type="secondary">{intro}</Typography.Text>
      </div>
      {extra}
    </Flex>
  );
}
