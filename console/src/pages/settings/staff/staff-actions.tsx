import { Button, Popconfirm, Space } from 'antd';
import { common } from '../../../i18n/common';
import { useT } from '../../../i18n';
import type { Staff } from './api';
import { messages } from './messages';

/** A row's actions: edit, reset the password, deactivate or activate. */
export function StaffActions({ staff, onEdit, onPassword, onActive }: { staff: Staff; onEdit: () => void; onPassword: () => void; onActive: (active: boolean) => Promise<void> }) {
  const t = useT(messages);
  const c = useT(common);
  return (
    <Space size={4} wrap>
      <Button size="small" onClick={onEdit}>
        {c('edit')}
      </Button>
      <Button size="small" onClick={onPassword}>
        {t('resetPassword')}
      </Button>
      {staff.active ? (
        <Popconfirm title={t('deactivateConfirm')} okText={t('deactivate')} cancelText={c('cancel')} okButtonProps={{ danger: true }} onConfirm={() => onActive(false)}>
          <Button size="small" danger>
            {t('deactivate')}
          </Button>
        </Popconfirm>
      ) : (
        <Button size="small" onClick={() => void onActive(true)}>
          {t('activate')}
        </Button>
      )}
    </Space>
  );
}
