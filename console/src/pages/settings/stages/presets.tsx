import { CheckCircleFilled } from '@ant-design/icons';
import { Button, Card, Col, Row, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { stagePresetSchema, type StagePreset } from '@contracts/stages';
import { useT } from '../../../i18n';
import { useNotify } from '../shared/notify';
import { useInstallPreset, type StageModel } from './api';
import { messages } from './messages';

/** The presets the API offers, each installed (a model came from it) or installable. */
export function Presets({ models, canEdit }: { models: readonly StageModel[]; canEdit: boolean }) {
  const t = useT(messages);
  const notify = useNotify();
  const install = useInstallPreset();
  return (
    <Row gutter={[16, 16]}>
      {stagePresetSchema.options.map((preset: StagePreset) => {
        const model = models.find((m) => m.preset === preset);
        return (
          <Col key={preset} xs={24} md={8}>
            <Card size="small" style={{ height: '100%' }}>
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Text strong style={{ fontSize: 16 }}>
                  {t(`preset.${preset}`)}
                </Typography.Text>
                <Typography.Paragraph type="secondary" style={{ minHeight: 44, margin: 0 }}>
                  {t(`preset.${preset}.desc`)}
                </Typography.Paragraph>
                {model ? (
                  <Space>
                    <Typography.Text type="success">
                      <CheckCircleFilled /> {t('installed')}
                    </Typography.Text>
                    <Link to={`/settings/stages/${model.key}`}>{t('open')}</Link>
                  </Space>
                ) : (
                  <Button
                    type="primary"
                    disabled={!canEdit}
                    loading={install.isPending && install.variables === preset}
                    onClick={() => install.mutate(preset, { onSuccess: (m) => notify.success(t('installedOk', { name: m.name })), onError: notify.error })}
                  >
                    {t('install')}
                  </Button>
                )}
              </Space>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}
