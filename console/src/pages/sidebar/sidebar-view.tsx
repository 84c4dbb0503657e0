import { Flex } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { wecomSidebarSchema } from '@contracts/wecom-sidebar';
import { api } from '../../api/client';
import { QueryState } from '../../components/page-state';
import { CustomerCard } from './customer-card';
import { EventsCard } from './events-card';
import { FollowUpForm } from './follow-up-form';
import { LeadCard } from './lead-card';
import { MoveLeadForm } from './move-lead-form';
import { SIDEBAR_KEY } from './sidebar-keys';
import { TagsCard } from './tags-card';


/** The chat customer's summary and the quick actions on their open lead. */
export function SidebarView({ externalUserId, connectorId }: { externalUserId: string; connectorId: string | undefined }) {
  const sidebar = useQuery({
    queryKey: [SIDEBAR_KEY, externalUserId, connectorId],
    queryFn: ({ signal }) => api.get('/api/v1/wecom/sidebar', wecomSidebarSchema, { query: { externalUserId, connectorId }, signal }),
  });
  return (
    <QueryState query={sidebar}>
      {(data) => (
        <Flex vertical gap={8}>
          <CustomerCard data={data} />
          <LeadCard lead={data.openLead} />
          {data.openLead ? (
            <>
              <FollowUpForm key={`f:${data.openLead.id}`} leadId={data.openLead.id} />
              <MoveLeadForm key={`m:${data.openLead.id}`} lead={data.openLead} />
            </>
          ) : null}
          <TagsCard profileId={data.person.id} tags={data.tags} />
          <EventsCard events={data.recentEvents} />
        </Flex>
      )}
    </QueryState>
  );
}
