import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { useSignIn } from '../../auth/session';
import { defineMessages, useT } from '../../i18n';
import { common } from '../../i18n/common';
import { LocalLanguageSwitch } from './local-language';

const messages = defineMessages({
  'zh-CN': { title: '登录', username: '用户名', password: '密码', submit: '登录', required: '请输入{field}', subtitle: '汽车品牌私域运营平台' },
  en: { title: 'Sign in', username: 'User name', password: 'Password', submit: 'Sign in', required: 'Enter your {field}', subtitle: 'Private-domain operations for car brands' },
});

interface LoginForm {
  username: string;
  password: string;
}

export function LoginPage() {
  const t = useT(messages);
  const tc = useT(common);
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');

  return (
    <main style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f5f7fa', padding: 16 }}>
      <Card style={{ width: 380, maxWidth: '100%' }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {tc('appName')}
          </Typography.Title>
          <LocalLanguageSwitch />
        </div>
        <Typography.Paragraph type="secondary">{t('subtitle')}</Typography.Paragraph>
        <Typography.Title level={4}>{t('title')}</Typography.Title>
        <Form<LoginForm>
          layout="vertical"
          requiredMark={false}
          onFinish={(values) =>
            signIn.mutate(values, {
              // Without a page to return to, each role lands on its own first page (a consultant has no overview).
              onSuccess: () => void navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/home', { replace: true }),
            })
          }
        >
          <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('required', { field: t('username') }) }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('required', { field: t('password') }) }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {signIn.error ? <Alert type="error" showIcon style={{ marginBottom: 16 }} message={signIn.error.message} /> : null}
          <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
            {t('submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
