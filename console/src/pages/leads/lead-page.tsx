import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Col, Flex, Row, Space, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { QueryState } from '../../components/page-state';
import { useT } from '../../i18n';
import { useLead } from './api';
import { LeadActions } from './lead-actions';
import { LeadDefeat } from './lead-defeat';
import { LeadDetails, LeadProgress } from './lead-details';
import { LeadFollowUps } from './lead-follow-ups';
import { LeadHistory } from './lead-history';
import { leadMessages } from './lead-messages';
import { LeadOrders } from './lead-orders';
import { StatusTag } from './lead-columns';
import { useVocab } from './vocab';

/** One lead: details, person, follow-ups, the moves the API allows, defeat request, orders. */
export function LeadPage() {
  const { id = '' } = useParams();
  const t = useT(leadMessages);
  const v = useVocab();
  const lead = useLead(id);

  return (
    <QueryState query={lead}>
      {(l) => (
        <Flex vertical gap={16} data-testid="lead-page">
          <Flex justify="space-between" align="center" wrap gap={8}>
            <Space size={12} align="center">
              <Link to="/leads">
                <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('backToList')} />
              </Link>
              <Typography.Title level={3} style={{ margin: 0 }}>
                {l.name ?? l.phone ?? t('unnamed')}
              </Typography.Title>
              <span data-testid="lead-status" data-status={l.status}>
                <StatusTag status={l.status} label={v.status(l.status)} />
              </span>
            </Space>
            <LeadActions lead={l} />
          </Flex>
          <LeadProgress lead={l} />
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={15}>
              <Flex vertical gap={16}>
                <LeadDetails lead={l} />
                <LeadFollowUps leadId={l.id} />
              </Flex>
            </Col>
            <Col xs={24} xl={9}>
              <Flex vertical gap={16}>
                <LeadDefeat lead={l} />
                <LeadHistory leadId={l.id} />
                <LeadOrders lead={l} />
              </Flex>
            </Col>
          </Row>
        </Flex>
      )}
    </QueryState>
  );
}
