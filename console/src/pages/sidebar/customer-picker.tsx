import { Alert, Button, Card, Flex, Input, List, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { profileSchema, profilesPageSchema } from '@contracts/profiles';
import { api } from '../../api/client';
import { ErrorAlert, QueryState } from '../../components/page-state';
import { useT } from '../../i18n';
import { messages } from './messages';

/** The identifier type under which One ID keeps a WeCom external_userid (scoped by corp id). */
const WECOM_EXTERNAL_USERID = 'wecom_external_userid';
const SEARCH_LIMIT = 10;

/**
 * Outside WeCom: find the customer by name or phone ending (the profiles search, in the caller's
 * scope) and open the sidebar on their WeCom external_userid.
 */
export function CustomerPicker({ onPick }: { onPick: (externalUserId: string) => void }) {
  const t = useT(messages);
  const [q, setQ] = useState('');
  const [profileId, setProfileId] = useState<string | null>(null);
  const search = useQuery({
    queryKey: ['profiles', 'search', q, SEARCH_LIMIT],
    queryFn: ({ signal }) => api.get('/api/v1/profiles', profilesPageSchema, { query: { q, limit: SEARCH_LIMIT }, signal }),
    enabled: q !== '',
  });

  return (
    <Card size="small" title={t('pickTitle')}>
      <Flex vertical gap={8}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('pickHint')}
        </Typography.Text>
        <Input.Search
          size="small"
          allowClear
          aria-label={t('searchLabel')}
          placeholder={t('searchPlaceholder')}
          enterButton
          loading={search.isFetching}
          onSearch={(value) => {
            setQ(value.trim());
            setProfileId(null);
          }}
        />
        {q === '' ? null : (
          <QueryState query={search} isEmpty={(page) => page.data.length === 0} empty={t('searchEmpty')}>
            {(page) => (
              <>
                <List
                  size="small"
                  dataSource={page.data}
                  renderItem={(p) => (
                    <List.Item style={{ paddingInline: 0 }}>
                      <Button
                        type={p.id === profileId ? 'primary' : 'text'}
                        size="small"
                        block
                        style={{ height: 'auto', textAlign: 'left', justifyContent: 'flex-start' }}
                        onClick={() => setProfileId(p.id)}
                      >
                        <Flex justify="space-between" gap={8} style={{ width: '100%', minWidth: 0 }}>
                          <Typography.Text strong ellipsis style={{ color: 'inherit' }}>
                            {p.name ?? t('noName')}
                          </Typography.Text>
                          <Typography.Text style={{ color: 'inherit', flex: 'none' }}>{p.phone ?? '—'}</Typography.Text>
                        </Flex>
                      </Button>
                    </List.Item>
                  )}
                />
                {page.nextCursor ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('searchMore')}</Typography.Text> : null}
              </>
            )}
          </QueryState>
        )}
        {profileId ? <WecomIdentityOf profileId={profileId} onPick={onPick} /> : null}
      </Flex>
    </Card>
  );
}

/** The picked person's WeCom external_userid: opened at once when there is one, chosen when several. */
function WecomIdentityOf({ profileId, onPick }: { profileId: string; onPick: (externalUserId: string) => void}) {
  const t = useT(messages);
  const profile = useQuery({
    queryKey: ['profiles', profileId],
    queryFn: ({ signal }) => api.get(`/api/v1/profiles/${profileId}`, profileSchema, { signal }),
  });
  const ids = (profile.data?.identities ?? []).filter((i) => i.type === WECOM_EXTERNAL_USERID);
  const only = ids.length === 1 ? ids[0]?.value : undefined;
  useEffect(() => {
    if (only) onPick(only);
  }, [only, onPick]);

  if (profile.isError) return <ErrorAlert error={profile.error} />;
  if (profile.isPending || only) return null;
  if (ids.length === 0) return <Alert type="warning" showIcon message={t('noWecomIdentity')} />;
  return (
    <Flex vertical gap={4}>
      <Typography.Text>{t('pickWecomId')}</Typography.Text>
      {ids.map((i) => (
        <Button key={`${i.scope ?? ''}:${i.value}`} size="small" onClick={() => onPick(i.value)}>
          <Typography.Text ellipsis>{`${i.scope ?? ''} · ${i.value}`}</Typography.Text>
        </Button>
      ))}
    </Flex>
  );
}
