import { Alert, Col, ConfigProvider, Flex, Row, Typography } from 'antd';
import { useState } from 'react';
import { hasRole, useMe, type StaffRole } from '../../auth/session';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { AarrrFunnelCard } from './aarrr-funnel-card';
import { defaultGranularity, periodParams, useOverviewFilters, useToday, type Granularity } from './filter-state';
import { FiltersBar } from './filters-bar';
import { KpiTilesCard } from './kpi-tiles-card';
import { KpiTrendCard } from './kpi-trend-card';
import { MUTED, MUTED_COLOR } from './labels';
import { messages } from './messages';
import { PrecipitationCard } from './precipitation-card';
import { useOrgUnits } from '../../api/org-units';
import { useLeadKpis } from './queries';
import { ReachablePoolCard } from './reachable-pool-card';
import { StageDistributionCard } from './stage-distribution-card';
import { StageFlowsCard } from './stage-flows-card';

/** The roles the analytics API answers (tenant-wide figures); dealer staff get their own scope from the KPIs API. */
const HQ_ROLES: readonly StaffRole[] = ['admin', 'hq_ops', 'analyst'];

/** 运营总览: the private-domain pool, 5A and AARRR for HQ, and the lead funnel KPIs for every manager within their scope. */
export function OverviewPage() {
  const t = useT(messages);
  const f = useFormat();
  const me = useMe();
  const today = useToday();
  const [filters, setFilters] = useOverviewFilters();
  const [chosenGranularity, setGranularity] = useState<Granularity | null>(null);
  const granularity = chosenGranularity ?? defaultGranularity(filters);
  const p = periodParams(filters, today);
  const hq = hasRole(me, HQ_ROLES);
  const kpis = useLeadKpis({ from: p.from, to: p.toExclusive, orgUnitCode: p.orgUnitCode, groupBy: granularity });
  const units = useOrgUnits();
  // The chosen unit by name; without a choice, the unit the API defaulted to (a dealer's own store) or all.
  const chosenUnit = p.orgUnitCode ? (units.data?.data.find((u) => u.code === p.orgUnitCode)?.name ?? p.orgUnitCode) : null;
  const unitName = chosenUnit ?? kpis.data?.orgUnit?.name ?? t('scope.allUnits');
  const leadScope = t('scope.leads', { unit: unitName, from: f.date(filters.start), to: f.date(filters.end) });

  return (
    // Statistic titles and secondary texts a shade darker than antd's default, for a 4.5:1 contrast.
    <ConfigProvider theme={{ token: { colorTextDescription: MUTED_COLOR } }}>
      <Flex vertical gap={16} data-testid="overview-page">
        <div>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
            {t('title')}
          </Typography.Title>
          <Typography.Text style={MUTED}>{t('subtitle')}</Typography.Text>
        </div>
        <FiltersBar value={filters} onChange={setFilters} />
        {hq ? (
          <>
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={12}>
                <ReachablePoolCard />
              </Col>
              <Col xs={24} xl={12}>
                <StageDistributionCard at={p.analyticsTo} />
              </Col>
            </Row>
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={14}>
                <StageFlowsCard from={p.from} to={p.analyticsTo} />
              </Col>
              <Col xs={24} xl={10}>
                <AarrrFunnelCard from={p.from} to={p.analyticsTo} />
              </Col>
            </Row>
          </>
        ) : (
          <Alert type="info" showIcon data-testid="overview-hq-only" message={t('hqOnlyTitle')} description={t('hqOnly')} />
        )}
        <KpiTilesCard query={kpis} scope={leadScope} />
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <KpiTrendCard query={kpis} granularity={granularity} onGranularity={setGranularity} scope={leadScope} />
          </Col>
          <Col xs={24} xl={10}>
            <PrecipitationCard query={kpis} scope={leadScope} />
          </Col>
        </Row>
      </Flex>
    </ConfigProvider>
  );
}
