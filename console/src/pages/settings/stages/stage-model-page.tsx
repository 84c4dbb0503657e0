import { useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../../api/client';
import { hasRole, useMe } from '../../../auth/session';
import { QueryState } from '../../../components/page-state';
import { useT } from '../../../i18n';
import { PageHeader } from '../shared/page-header';
import { useStageModel } from './api';
import { draftOf, newDraft } from './draft';
import { messages } from './messages';
import { StageModelEditor } from './stage-model-editor';

/**
 * One stage model in the editor. `?new=1` opens a key that does not exist yet as a new model (it is
 * created by the first save); without it, an unknown key is the API's 404.
 */
export function StageModelPage() {
  const t = useT(messages);
  const me = useMe();
  const { key = '' } = useParams();
  const [params] = useSearchParams();
  const model = useStageModel(key);
  const canEdit = hasRole(me, ['admin', 'hq_ops']);
  const wantsNew = params.get('new') === '1' && canEdit;
  const missing = model.error instanceof ApiError && model.error.status === 404;

  if (wantsNew && missing) {
    return (
      <div data-testid="settings-stages">
        <PageHeader title={t('newTitle', { key })} />
        <StageModelEditor modelKey={key} initial={newDraft(key)} isNew canEdit={canEdit} />
      </div>
    );
  }
  return (
    <div data-testid="settings-stages">
      <QueryState query={model}>
        {(m) => (
          <>
            <PageHeader title={t('editTitle', { name: m.name })} description={m.description ?? undefined} />
            <StageModelEditor key={`${m.key}:${m.revision}`} modelKey={m.key} initial={draftOf(m)} isNew={false} canEdit={canEdit} />
          </>
        )}
      </QueryState>
    </div>
  );
}
