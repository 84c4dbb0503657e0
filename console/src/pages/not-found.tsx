import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { common } from '../i18n/common';
import { useT } from '../i18n';

export function NotFoundPage() {
  const t = useT(common);
  return <Result status="404" title={t('notFoundTitle')} extra={<Link to="/home"><Button type="primary">{t('back')}</Button></Link>} />;
}
