import { createHash } from 'node:crypto';
import type { LeadForm } from '../../contracts/lead-sources.js';
import { leadInputSchema, type LeadInputRaw } from '../../contracts/leads.js';
import { systemPrincipal, type WriteKeyPrincipal } from '../../modules/tenancy/index.js';
import { sourceKind } from './connectors.repo.js';
import { AppError } from '../../platform/errors.js';
import { canonicalJson } from '../../platform/json.js';
import { chinaTime } from './ocean-engine-api.js';
import type { LeadSourceDeps } from './types.js';
import { intakeLeads } from '../../modules/leads/index.js';

/**
 * Website and mini-program lead forms (留资表单), posted with the source's write key. The lead's
 * source is the source's kind; its id is `<sourceId>:<submissionId>` (two sources may number their
 * submissions alike), or, without a submissionId, derived from the content and the day, so that a
 * client retrying the same submission gets the same lead.
 */
export const FORM_SOURCE_KINDS = ['website', 'mini_program', 'app', 'wechat_oa'] as const;

function isFormKind(kind: string): kind is (typeof FORM_SOURCE_KINDS)[number] {
  return (FORM_SOURCE_KINDS as readonly string[]).includes(kind);
}

export function formExternalId(sourceId: string, form: LeadForm, receivedAt: Date): string {
  if (form.submissionId) return `${sourceId}:${form.submissionId}`;
  const day = chinaTime(form.submittedAt ? new Date(form.submittedAt) : receivedAt).slice(0, 10);
  const digest = createHash('sha256').update(`${day}\n${canonicalJson({ ...form, submittedAt: undefined })}`).digest('hex');
  return `${sourceId}:h:${digest.slice(0, 40)}`;
}

export function formToLeadInput(form: LeadForm, source: { id: string; kind: string }, receivedAt: Date): LeadInputRaw {
  return {
    source: source.kind,
    externalId: formExternalId(source.id, form, receivedAt),
    channel: form.formId ?? 'form',
    campaign: form.campaign ?? form.utm?.campaign,
    name: form.name,
    phone: form.phone,
    city: form.city,
    province: form.province,
    series: form.series,
    model: form.model,
    dealerCode: form.dealerCode,
    createdAt: form.submittedAt ?? receivedAt.toISOString(),
    raw: { ...form, sourceId: source.id },
  };
}

/** Takes one form submission in; answers the lead (no personal data). */
export async function submitLeadForm(deps: LeadSourceDeps, key: WriteKeyPrincipal, form: LeadForm) {
  const kind = await sourceKind(deps.store.db, key.tenantId, key.sourceId);
  if (kind === null) throw new AppError('unauthorized', 'the write key belongs to a source that no longer exists');
  if (!isFormKind(kind)) {
    throw new AppError('forbidden', `this write key belongs to a ${kind} source; lead forms take the key of a ${FORM_SOURCE_KINDS.join(', ')} source`, {
      sourceKind: kind,
      allowed: FORM_SOURCE_KINDS,
    });
  }
  const source = { id: key.sourceId, kind };
  const now = deps.clock.now();
  const parsed = leadInputSchema.safeParse(formToLeadInput(form, source, now));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError('invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { part: 'body', issues });
  }
  const [result] = await intakeLeads(deps, systemPrincipal(key.tenantId, `lead_form:${source.kind}`), [parsed.data], { now });
  if (!result) throw new Error('the intake answered no result for one lead');
  return { id: result.id, created: result.created };
}
