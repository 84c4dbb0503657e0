import { useQuery } from '@tanstack/react-query';
import { Select, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { profilesPageSchema } from '@contracts/profiles';
import { api } from '../../../api/client';
import { useT } from '../../../i18n';
import { messages } from './messages';

export interface PickedProfile {
  value: string;
  label: string;
}

/** Customers in the caller's scope, searched on the server by name or phone suffix. */
export function ProfilePicker({ value, onChange, id }: { value?: PickedProfile[]; onChange?: (v: PickedProfile[]) => void; id?: string }) {
  const t = useT(messages);
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const found = useQuery({
    queryKey: ['wecom', 'profile-search', q],
    queryFn: () => api.get('/api/v1/profiles', profilesPageSchema, { query: { q, limit: 20 } }),
    enabled: q.length >= 2,
  });
  return (
    <Select<PickedProfile[]>
      id={id}
      mode="multiple"
      labelInValue
      value={value}
      onChange={(v) => onChange?.(v)}
      showSearch
      filterOption={false}
      onSearch={setTyped}
      notFoundContent={found.isFetching ? <Spin size="small" /> : null}
      placeholder={t('profileSearch')}
      aria-label={t('profileIds')}
      options={(found.data?.data ?? []).map((p) => ({ value: p.id, label: [p.name ?? '—', p.phone].filter(Boolean).join(' · ') }))}
    />
  );
}
