import { Alert, Col, Flex, Row } from 'antd';
import { useEffect } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { z } from 'zod';
import type { Profile } from '@contracts/profiles';
import { ApiError } from '../../api/client';
import { QueryState } from '../../components/page-state';
import { useT } from '../../i18n';
import { ConsentsCard, HouseholdCard, VehiclesCard } from './belongings-cards';
import { LeadsCard, LtvCard, OrdersCard } from './commerce-cards';
import { CustomerHeader } from './customer-header';
import { IdentitiesCard } from './identities-card';
import { MergesCard } from './merges-card';
import { messages } from './messages';
import { useProfile } from './queries';
import { StagesCard, TagsCard } from './stages-tags-cards';
import { TimelineCard } from './timeline-card';
import { WecomCard } from './wecom-card';

/** Where a merged-away id came from, carried to the surviving profile's page. */
const mergedStateSchema = z.object({ mergedFrom: z.string() });
/** `details` of a `profile_merged` error (308) when the redirect was not followed by the browser. */
const mergedDetailsSchema = z.object({ profileId: z.string() });

function Customer360({ profile }: { profile: Profile }) {
  return (
    <Flex vertical gap={16} data-testid="customer-360">
      <CustomerHeader profile={profile} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14} xxl={12}>
          <Flex vertical gap={16}>
            <IdentitiesCard profile={profile} />
            <VehiclesCard profile={profile} />
            <WecomCard profileId={profile.id} />
            <ConsentsCard profile={profile} />
          </Flex>
        </Col>
        <Col xs={24} xl={10} xxl={12}>
          <Flex vertical gap={16}>
            <StagesCard profileId={profile.id} />
            <TagsCard profileId={profile.id} />
            <HouseholdCard profile={profile} />
            <LtvCard profileId={profile.id} />
          </Flex>
        </Col>
        <Col span={24}>
          <LeadsCard profileId={profile.id} />
        </Col>
        <Col span={24}>
          <OrdersCard profileId={profile.id} />
        </Col>
        <Col span={24}>
          <TimelineCard profileId={profile.id} />
        </Col>
        <Col span={24}>
          <MergesCard profile={profile} />
        </Col>
      </Row>
    </Flex>
  );
}

/**
 * Customer 360 at /customers/:id. A merged-away id is answered with the surviving profile (the API's
 * 308 is followed): the address then moves to the survivor's id, saying so once.
 */
export function CustomerPage() {
  const t = useT(messages);
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const profile = useProfile(id);
  const survivor = profile.data && profile.data.id !== id ? profile.data.id : null;
  const mergedError = profile.error instanceof ApiError && profile.error.code === 'profile_merged' ? mergedDetailsSchema.safeParse(profile.error.details) : null;
  const redirectTo = survivor ?? (mergedError?.success ? mergedError.data.profileId : null);

  useEffect(() => {
    if (redirectTo) void navigate(`/customers/${redirectTo}`, { replace: true, state: { mergedFrom: id } });
  }, [redirectTo, id, navigate]);

  const merged = mergedStateSchema.safeParse(location.state);
  return (
    <Flex vertical gap={16}>
      {merged.success && !redirectTo ? <Alert type="info" showIcon closable message={t('mergedNotice')} data-testid="customer-merged-notice" /> : null}
      <QueryState query={redirectTo ? { ...profile, isPending: true } : profile}>{(p) => <Customer360 key={p.id} profile={p} />}</QueryState>
    </Flex>
  );
}
