import { z } from 'zod';
import { isoDateTime, requiredText, uuidString } from './common.js';

/**
 * The 4S funnel after routing (issue 5, item 6): status transitions with time and actor, follow-up
 * records, defeat (战败) requests approved by a manager, and invalid leads with a reason.
 * See docs/funnel.md for the transition rules.
 */

/** The funnel in order; `defeated` and `invalid` close a lead outside it. */
export const FUNNEL_STATUSES = ['new', 'assigned', 'contacted', 'invited', 'visited', 'test_drive', 'ordered', 'invoiced', 'delivered'] as const;
export const LEAD_STATUSES = [...FUNNEL_STATUSES, 'defeated', 'invalid'] as const;
export const leadStatusSchema = z.enum(LEAD_STATUSES, { error: `status must be one of ${LEAD_STATUSES.join(', ')}` });
export type LeadStatus = z.infer<typeof leadStatusSchema>;

export const INVALID_REASONS = ['no_intent', 'wrong_number', 'empty_number', 'unreachable', 'other'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export const DEFEAT_REASONS = ['bought_competitor', 'bought_other_dealer', 'price', 'no_budget', 'postponed', 'no_longer_interested', 'other'] as const;
export const defeatReasonSchema = z.enum(DEFEAT_REASONS, { error: `reasonCode must be one of ${DEFEAT_REASONS.join(', ')}` });
export type DefeatReason = z.infer<typeof defeatReasonSchema>;

export const FOLLOW_UP_KINDS = ['call', 'wecom_chat', 'sms', 'visit', 'other'] as const;
export const followUpKindSchema = z.enum(FOLLOW_UP_KINDS, { error: `kind must be one of ${FOLLOW_UP_KINDS.join(', ')}` });

export const DEFEAT_STATES = ['pending', 'approved', 'rejected'] as const;
export const defeatStateSchema = z.enum(DEFEAT_STATES, { error: `state must be one of ${DEFEAT_STATES.join(', ')}` });

export const leadIdParams = z.object({ id: uuidString });
export const defeatRequestParams = z.object({ id: uuidString });

export const transitionCreateSchema = z
  .strictObject({
    to: leadStatusSchema.describe('The status to move to; ordered/invoiced/delivered come from orders, defeated from an approved defeat request'),
    at: isoDateTime.optional().describe('When it happened (default now); not in the future'),
    reason: requiredText(100)
      .optional()
      .describe(`Required for invalid: one of ${INVALID_REASONS.join(', ')}; free text for other moves`),
    remark: requiredText(2000).optional().describe('Required with reason "other"'),
  })
  .superRefine((b, ctx) => {
    if (b.to !== 'invalid') return;
    if (b.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `an invalid lead needs a reason: one of ${INVALID_REASONS.join(', ')}` });
    } else if (!(INVALID_REASONS as readonly string[]).includes(b.reason)) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `reason must be one of ${INVALID_REASONS.join(', ')}` });
    } else if (b.reason === 'other' && b.remark === undefined) {
      ctx.addIssue({ code: 'custom', path: ['remark'], message: 'reason "other" needs a remark saying what is wrong with the lead' });
    }
  })
  .meta({ id: 'LeadTransitionCreate' });
export type TransitionCreate = z.infer<typeof transitionCreateSchema>;

export const leadMilestonesSchema = z
  .object({
    assignedAt: z.string().nullable(),
    firstFollowUpAt: z.string().nullable(),
    contactedAt: z.string().nullable(),
    invitedAt: z.string().nullable(),
    visitedAt: z.string().nullable(),
    testDriveAt: z.string().nullable(),
    orderedAt: z.string().nullable(),
    invoicedAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    closedAt: z.string().nullable().describe('When the lead was defeated or found invalid'),
  })
  .meta({ id: 'LeadMilestones' });

/** A lead's place in the funnel (no personal data: see GET /api/v1/leads/{id} for the whole lead). */
export const leadFunnelSchema = z
  .object({
    id: z.string(),
    profileId: z.string().nullable(),
    dealerId: z.string().nullable(),
    consultantId: z.string().nullable(),
    status: leadStatusSchema,
    invalidReason: z.string().nullable(),
    defeatReason: z.string().nullable(),
    nextFollowUpAt: z.string().nullable(),
    milestones: leadMilestonesSchema.describe('First time the lead reached each step'),
    updatedAt: z.string(),
  })
  .meta({ id: 'LeadFunnel' });
export type LeadFunnel = z.infer<typeof leadFunnelSchema>;

/** What the caller may do with a lead now, by the same rules the moves are checked with. */
export const allowedTransitionsSchema = z
  .object({
    from: leadStatusSchema,
    allowed: z.array(leadStatusSchema).describe('Statuses POST /leads/{id}/transitions accepts from the caller now (empty when none)'),
    defeatable: z.boolean().describe('Whether POST /leads/{id}/defeat-requests would file a new request now: the lead\'s consultant or a manager, an open lead before an order, none pending'),
  })
  .meta({ id: 'AllowedTransitions' });
export type AllowedTransitions = z.infer<typeof allowedTransitionsSchema>;

export const leadTransitionSchema = z
  .object({
    id: z.string(),
    leadId: z.string(),
    from: leadStatusSchema.nullable(),
    to: leadStatusSchema,
    at: z.string(),
    actor: z.string().describe('staff:<id>, admin_token:<id> or system:<what>'),
    reason: z.string().nullable(),
    remark: z.string().nullable(),
    details: z.unknown().describe('e.g. {orderNo} for order moves, {requestedBy, reasonCode, requestId} for a defeat'),
  })
  .meta({ id: 'LeadTransition' });
export type LeadTransition = z.infer<typeof leadTransitionSchema>;

export const transitionResultSchema = z
  .object({
    changed: z.boolean().describe('false: the lead already had this status (nothing written)'),
    lead: leadFunnelSchema,
    transition: leadTransitionSchema.nullable(),
  })
  .meta({ id: 'LeadTransitionResult' });
export type TransitionResult = z.infer<typeof transitionResultSchema>;

export const followUpCreateSchema = z
  .strictObject({
    id: uuidString.optional().describe('Client-generated id: a retried request with the same id answers the stored follow-up (200)'),
    kind: followUpKindSchema,
    at: isoDateTime.optional().describe('When it happened (default now); not in the future'),
    note: requiredText(4000).optional(),
    nextFollowUpAt: isoDateTime.optional().describe('The next planned follow-up; after `at`'),
  })
  .meta({ id: 'FollowUpCreate' });
export type FollowUpCreate = z.infer<typeof followUpCreateSchema>;

export const followUpSchema = z
  .object({
    id: z.string(),
    leadId: z.string(),
    kind: followUpKindSchema,
    at: z.string(),
    actor: z.string(),
    staffId: z.string().nullable(),
    note: z.string().nullable(),
    nextFollowUpAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'FollowUp' });
export type FollowUp = z.infer<typeof followUpSchema>;

export const followUpResultSchema = z.object({ followUp: followUpSchema, lead: leadFunnelSchema }).meta({ id: 'FollowUpResult' });
export type FollowUpResult = z.infer<typeof followUpResultSchema>;

export const defeatRequestCreateSchema = z
  .strictObject({
    reasonCode: defeatReasonSchema,
    remark: requiredText(2000).describe('What happened, in words a manager can judge'),
  })
  .meta({ id: 'DefeatRequestCreate' });
export type DefeatRequestCreate = z.infer<typeof defeatRequestCreateSchema>;

export const defeatDecisionSchema = z.strictObject({ note: requiredText(2000).optional() }).meta({ id: 'DefeatDecision' });
export type DefeatDecision = z.infer<typeof defeatDecisionSchema>;

export const defeatRequestSchema = z
  .object({
    id: z.string(),
    leadId: z.string(),
    dealerId: z.string().nullable(),
    consultantId: z.string().nullable(),
    reasonCode: defeatReasonSchema,
    remark: z.string(),
    previousStatus: leadStatusSchema,
    state: defeatStateSchema,
    requestedBy: z.string(),
    requestedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
  })
  .meta({ id: 'DefeatRequest' });
export type DefeatRequest = z.infer<typeof defeatRequestSchema>;

export const defeatListQuery = z.strictObject({
  state: defeatStateSchema.optional(),
  leadId: uuidString.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DefeatListQuery = z.infer<typeof defeatListQuery>;

export const defeatRequestPageSchema = z.object({ data: z.array(defeatRequestSchema) }).meta({ id: 'DefeatRequestList' });
