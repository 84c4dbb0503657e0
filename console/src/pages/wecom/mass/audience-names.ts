import { useMemo } from 'react';
import { useSegments, useTags } from '../shared/refs';

/** Names of segments and tags by id, for showing a task's audience; ids stay when the caller may not list them. */
export function useAudienceNames(): Map<string, string> {
  const segments = useSegments();
  const tags = useTags();
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const s of segments.data?.data ?? []) names.set(s.id, s.name);
    for (const tg of tags.data?.data ?? []) names.set(tg.id, tg.name);
    return names;
  }, [segments.data, tags.data]);
}
