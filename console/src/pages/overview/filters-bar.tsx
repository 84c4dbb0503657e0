import { InfoCircleOutlined } from '@ant-design/icons';
import { Alert, Card, DatePicker, Flex, Select, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, type CSSProperties, type ReactNode } from 'react';
import type { OrgUnitView } from '@contracts/org';
import { useT } from '../../i18n';
import { addDays, DEFAULT_PERIOD_DAYS, useToday, type OverviewFilterValue } from './filter-state';
import { MUTED } from './labels';
import { messages } from './messages';
import { useOrgUnits } from '../../api/org-units';

const HIDDEN: CSSProperties = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' };

function Field({ label, htmlFor, testId, children }: { label: ReactNode; htmlFor: string; testId?: string; children: ReactNode }) {
  return (
    <Flex vertical gap={4} data-testid={testId}>
      <Typography.Text style={{ ...MUTED, fontSize: 12 }}>
        <label htmlFor={htmlFor}>{label}</label>
      </Typography.Text>
      {children}
    </Flex>
  );
}

interface Option {
  value: string;
  label: string;
}

/** Regions, and dealers grouped by dealer group, narrowed to the chosen region. */
function orgOptions(units: OrgUnitView[], region: string | null) {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const regions: Option[] = units.filter((u) => u.type === 'region' && u.active).map((u) => ({ value: u.code, label: u.name }));
  const groups = new Map<string, Option[]>();
  for (const u of units) {
    if (u.type !== 'dealer' || !u.active) continue;
    if (region && !u.path.includes(region)) continue;
    const groupName = (u.parentCode && byCode.get(u.parentCode)?.type === 'dealer_group' ? byCode.get(u.parentCode)?.name : null) ?? '';
    const list = groups.get(groupName) ?? [];
    list.push({ value: u.code, label: `${u.name} (${u.code})` });
    groups.set(groupName, list);
  }
  // Dealers whose group is outside the caller's scope (dealer staff) are listed without a group heading.
  const dealers: (Option | { label: string; title: string; options: Option[] })[] = [];
  for (const [label, options] of groups) {
    if (label) dealers.push({ label, title: label, options });
    else dealers.push(...options);
  }
  const all = [...groups.values()].flat();
  // Dealer staff see only their own store: name it rather than offering "all dealers".
  return { regions, dealers, dealerCount: all.length, onlyDealer: regions.length === 0 && all.length === 1 ? (all[0]?.label ?? null) : null };
}

export function FiltersBar({ value, onChange }: { value: OverviewFilterValue; onChange: (next: OverviewFilterValue) => void }) {
  const t = useT(messages);
  const today = useToday();
  const units = useOrgUnits();
  const { regions, dealers, dealerCount, onlyDealer } = useMemo(() => orgOptions(units.data?.data ?? [], value.region), [units.data, value.region]);
  const todayDay = dayjs(today);
  const presets: { label: string; value: [Dayjs, Dayjs] }[] = [
    { label: t('preset.30d'), value: [dayjs(addDays(today, -29)), todayDay] },
    { label: t('preset.90d'), value: [dayjs(addDays(today, -(DEFAULT_PERIOD_DAYS - 1))), todayDay] },
    { label: t('preset.180d'), value: [dayjs(addDays(today, -179)), todayDay] },
    { label: t('preset.year'), value: [todayDay.startOf('year'), todayDay] },
  ];

  return (
    <Card size="small" data-testid="overview-filters">
      <Flex wrap gap="middle" align="flex-start" role="group" aria-label={t('filters')}>
        <Field label={t('period')} htmlFor="overview-period-start" testId="overview-filter-period">
          <label htmlFor="overview-period-end" style={HIDDEN}>
            {t('period')}
          </label>
          <DatePicker.RangePicker
            id={{ start: 'overview-period-start', end: 'overview-period-end' }}
            allowClear={false}
            value={[dayjs(value.start), dayjs(value.end)]}
            presets={presets}
            disabledDate={(d) => d.isAfter(todayDay, 'day')}
            onChange={(dates) => {
              const [a, b] = dates ?? [];
              if (a && b) onChange({ ...value, start: a.format('YYYY-MM-DD'), end: b.format('YYYY-MM-DD') });
            }}
          />
        </Field>
        {regions.length > 0 && (
          <Field label={t('region')} htmlFor="overview-region">
            <Select
              id="overview-region"
              data-testid="overview-filter-region"
              style={{ width: 160 }}
              allowClear
              placeholder={t('allRegions')}
              value={value.region ?? undefined}
              options={regions}
              loading={units.isPending}
              onChange={(region: string | undefined) => onChange({ ...value, region: region ?? null, dealer: null })}
            />
          </Field>
        )}
        <Field label={t('dealer')} htmlFor="overview-dealer">
          <Select
            id="overview-dealer"
            data-testid="overview-filter-dealer"
            style={{ width: 280 }}
            allowClear={dealerCount > 1 || value.dealer !== null}
            showSearch
            optionFilterProp="label"
            placeholder={onlyDealer ?? t('allDealers')}
            value={value.dealer ?? undefined}
            options={dealers}
            loading={units.isPending}
            onChange={(dealer: string | undefined) => onChange({ ...value, dealer: dealer ?? null })}
          />
        </Field>
        <Field
          label={
            <Tooltip title={t('seriesUnsupported')}>
              <span>
                {t('series')} <InfoCircleOutlined aria-label={t('seriesUnsupported')} />
              </span>
            </Tooltip>
          }
          htmlFor="overview-series"
        >
          <Tooltip title={t('seriesUnsupported')}>
            <Select id="overview-series" data-testid="overview-filter-series" style={{ width: 140 }} disabled placeholder={t('allSeries')} options={[]} />
          </Tooltip>
        </Field>
      </Flex>
      <Typography.Paragraph style={{ ...MUTED, fontSize: 12, margin: '8px 0 0' }}>
        <InfoCircleOutlined /> {t('filtersHint')}
      </Typography.Paragraph>
      {units.isError && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('orgUnitsError', { message: units.error.message })} />}
    </Card>
  );
}
