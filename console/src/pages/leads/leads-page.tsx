import { Card, Flex, Segmented } from 'antd';
import { useSearchParams } from 'react-router';
import { useMe } from '../../auth/session';
import { useT } from '../../i18n';
import { LeadFilterBar } from './lead-filter-bar';
import { LeadsBoard } from './leads-board';
import { LeadsTable } from './leads-table';
import { readFilters, writeFilters } from './list-filters';
import { listMessages } from './list-messages';
import { PageTitle } from './page-title';

type View = 'table' | 'board';

/** The leads in the caller's scope (the API scopes them: a dealer's, or a consultant's own) as a table or a board. */
export function LeadsPage() {
  const t = useT(listMessages);
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const view: View = params.get('view') === 'board' ? 'board' : 'table';
  // A new filter starts the table at its first page.
  const filterKey = JSON.stringify(filters);

  return (
    <Flex vertical gap={16} data-testid="leads-page">
      <PageTitle
        title={t('title')}
        subtitle={me.scope.kind === 'own' ? t('subtitleOwn') : me.scope.kind === 'units' ? t('subtitleUnits') : t('subtitleAll')}
        extra={
          <Segmented<View>
            aria-label={t('view')}
            value={view}
            onChange={(next) => {
              const p = new URLSearchParams(params);
              p.set('view', next);
              setParams(p, { replace: true });
            }}
            options={[
              { value: 'table', label: t('viewTable') },
              { value: 'board', label: t('viewBoard') },
            ]}
          />
        }
      />
      <Card>
        <Flex vertical gap={16}>
          <LeadFilterBar value={filters} onChange={(next) => setParams(writeFilters(params, next), { replace: true })} />
          {view === 'table' ? <LeadsTable key={filterKey} filters={filters} /> : <LeadsBoard filters={filters} />}
        </Flex>
      </Card>
    </Flex>
  );
}
