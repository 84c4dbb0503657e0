import { Card, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useT } from '../../../i18n';
import { PageHeader } from '../shared/page-header';
import { AutohomePanel } from './autohome-panel';
import { messages } from './messages';
import { OceanEnginePanel } from './ocean-engine-panel';
import { WecomPanel } from './wecom-panel';

const TABS = ['wecom', 'ocean-engine', 'autohome'] as const;
type TabKey = (typeof TABS)[number];
const isTab = (v: string | null): v is TabKey => TABS.some((t) => t === v);

/** WeCom connectors and the lead platforms' adapters, one tab each (the tab is kept in the URL). */
export function ConnectorsPage() {
  const t = useT(messages);
  const [params, setParams] = useSearchParams();
  const raw = params.get('tab');
  const tab: TabKey = isTab(raw) ? raw : 'wecom';
  return (
    <div data-testid="settings-connectors">
      <PageHeader title={t('title')} description={t('description')} />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => setParams(key === 'wecom' ? {} : { tab: key }, { replace: true })}
          items={[
            { key: 'wecom', label: t('tabWecom'), children: <WecomPanel /> },
            { key: 'ocean-engine', label: t('tabOcean'), children: <OceanEnginePanel /> },
            { key: 'autohome', label: t('tabAutohome'), children: <AutohomePanel /> },
          ]}
        />
      </Card>
    </div>
  );
}
