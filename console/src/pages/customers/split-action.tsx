import { App, Button, Checkbox, Flex, Typography, type ButtonProps } from 'antd';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import type { Profile } from '@contracts/profiles';
import { ApiError } from '../../api/client';
import { hasRole, useMe, type StaffRole } from '../../auth/session';
import { common } from '../../i18n/common';
import { useT } from '../../i18n';
import { history } from './history-messages';
import { useSplit } from './queries';
import { vocab, vocabLabel } from './vocab-messages';

/** The roles the split route accepts (it answers 403 to the others). */
const SPLIT_ROLES: readonly StaffRole[] = ['admin', 'hq_ops'];

export interface IdentifierRef {
  type: string;
  scope: string | null;
  value: string;
}

/** The same identifier whether its scope is given as null or '' (the identity log writes ''). */
const identifierKey = (i: IdentifierRef) => `${i.type}\u0001${i.scope ?? ''}\u0001${i.value}`;

function SplitPicker({ profile, initial, onChange }: { profile: Profile; initial: string[]; onChange: (keys: string[]) => void }) {
  const t = useT(history);
  const tv = useT(vocab);
  const [value, setValue] = useState(initial);
  return (
    <Flex vertical gap={8}>
      <Typography.Paragraph style={{ margin: 0 }}>{t('splitBody')}</Typography.Paragraph>
      <Typography.Text strong>{t('splitPick')}</Typography.Text>
      <Checkbox.Group
        aria-label={t('splitPick')}
        value={value}
        onChange={(v) => {
          const keys = v.map(String);
          setValue(keys);
          onChange(keys);
        }}
        style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
        options={profile.identities.map((i) => ({
          value: identifierKey(i),
          label: `${vocabLabel(tv, 'id.', i.type)}: ${i.value}${i.scope ? ` (${i.scope})` : ''}`,
        }))}
      />
    </Flex>
  );
}

/**
 * The split: a confirm dialog listing the profile's identifiers (those of a merge ticked), then
 * POST /profiles/:id/split; the whole 360 is read again afterwards.
 */
export function useSplitAction(profile: Profile) {
  const t = useT(history);
  const tc = useT(common);
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const me = useMe();
  const split = useSplit(profile.id);
  const chosen = useRef<string[]>([]);
  const allowed = hasRole(me, SPLIT_ROLES);

  /** Moving at least one identifier and keeping at least one: the server refuses anything else. */
  const valid = (keys: string[]) => keys.length > 0 && keys.length < profile.identities.length;
  const okProps = (keys: string[]): ButtonProps & { 'data-testid': string } => ({ danger: true, disabled: !valid(keys), 'data-testid': 'customer-split-confirm' });

  const open = (preselected: IdentifierRef[]) => {
    const held = new Set(profile.identities.map(identifierKey));
    chosen.current = preselected.map(identifierKey).filter((k) => held.has(k));
    const dialog = modal.confirm({
      title: t('splitTitle'),
      width: 560,
      content: (
        <SplitPicker
          profile={profile}
          initial={chosen.current}
          onChange={(keys) => {
            chosen.current = keys;
            dialog.update({ okButtonProps: okProps(keys) });
          }}
        />
      ),
      okText: t('splitOk'),
      cancelText: tc('cancel'),
      okButtonProps: okProps(chosen.current),
      onOk: async () => {
        const identifiers = profile.identities.filter((i) => chosen.current.includes(identifierKey(i)));
        try {
          const result = await split.mutateAsync({ identifiers: identifiers.map((i) => ({ type: i.type, value: i.value, ...(i.scope ? { scope: i.scope } : {}) })) });
          void message.success({
            duration: 8,
            content: (
              <span>
                {t('splitDone', { events: result.eventsMoved, consents: result.consentsCopied })}
                <Button type="link" size="small" onClick={() => void navigate(`/customers/${result.newProfileId}`)}>
                  {t('openNew')}
                </Button>
              </span>
            ),
          });
        } catch (e) {
          void message.error(e instanceof ApiError ? e.message : String(e));
        }
      },
    });
  };

  return { allowed, open, pending: split.isPending };
}
