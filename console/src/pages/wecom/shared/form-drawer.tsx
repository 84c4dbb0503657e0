import { Alert, Button, Drawer, Space } from 'antd';
import { useCallback, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { ErrorAlert } from '../../../components/page-state';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import { wecomShared } from './messages';
import { issuesText } from './welcome-form';

/**
 * The contract check before a create or save: `check` parses the input with the contract's schema and
 * keeps its issues for the form's Alert, so nothing the API would refuse is sent.
 */
export function useContractCheck() {
  const [issues, setIssues] = useState<string[]>([]);
  const check = useCallback((schema: z.ZodType, input: unknown): boolean => {
    const parsed = schema.safeParse(input);
    setIssues(parsed.success ? [] : issuesText(parsed.error));
    return parsed.success;
  }, []);
  const clear = useCallback(() => setIssues([]), []);
  return { issues, check, clear };
}

/** The contract's issues with the input, one a line, or nothing when there are none. */
export function IssuesAlert({ issues }: { issues: readonly string[] }) {
  const ts = useT(wecomShared);
  if (issues.length === 0) return null;
  return <Alert type="error" showIcon message={ts('invalidInput')} description={issues.join('\n')} style={{ whiteSpace: 'pre-line' }} />;
}

/**
 * A create drawer of the WeCom pages: cancel and save on top, then `notices`, the contract's issues,
 * the API's error, and the form.
 */
export function FormDrawer({
  title,
  open,
  onClose,
  onSave,
  saving,
  issues,
  error,
  notices,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  onSave: () => void;
  saving: boolean;
  issues: readonly string[];
  error: unknown;
  notices?: ReactNode;
  children: ReactNode;
}) {
  const tc = useT(common);
  return (
    <Drawer
      title={title}
      open={open}
      onClose={onClose}
      width={640}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{tc('cancel')}</Button>
          <Button type="primary" loading={saving} onClick={onSave}>
            {tc('save')}
          </Button>
        </Space>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {notices}
        <IssuesAlert issues={issues} />
        {error ? <ErrorAlert error={error} /> : null}
        {children}
      </Space>
    </Drawer>
  );
}
