import { Col, Row } from 'antd';
import { useT } from '../../../i18n';
import { PageHeader } from '../shared/page-header';
import { Blocklist } from './blocklist';
import { IdentifierTypes } from './identifier-types';
import { messages } from './messages';
import { TraitStrategies } from './trait-strategies';

/** The tenant's One ID rules: identifier types, junk values, trait strategies (admins). */
export function IdentityPage() {
  const t = useT(messages);
  return (
    <div data-testid="settings-identity">
      <PageHeader title={t('title')} description={t('description')} />
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <IdentifierTypes />
        </Col>
        <Col xs={24} xl={16}>
          <Blocklist />
        </Col>
        <Col xs={24} xl={8}>
          <TraitStrategies />
        </Col>
      </Row>
    </div>
  );
}
