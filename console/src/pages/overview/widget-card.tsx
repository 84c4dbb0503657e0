import { Card, Typography } from 'antd';
import type { ReactNode } from 'react';
import { MUTED } from './labels';

/** One overview widget: a titled card with its testid, a line saying what it covers, and optional controls. */
export function WidgetCard({ testId, title, scope, extra, children }: { testId: string; title: ReactNode; scope?: ReactNode; extra?: ReactNode; children: ReactNode }) {
  return (
    <Card
      data-testid={testId}
      title={
        <span>
          <h2 style={{ display: 'inline', fontSize: 16, fontWeight: 600, margin: 0 }}>{title}</h2>
          {scope && (
            <Typography.Text style={{ ...MUTED, fontSize: 12, fontWeight: 'normal', marginLeft: 8 }}>
              {scope}
            </Typography.Text>
          )}
        </span>
      }
      extra={extra}
      style={{ height: '100%' }}
      styles={{ header: { flexWrap: 'wrap', paddingBlock: 8 }, title: { whiteSpace: 'normal' } }}
    >
      {children}
    </Card>
  );
}
