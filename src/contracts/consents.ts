import { z } from 'zod';
import { isoDateTime, requiredText } from './common.js';

export const CONSENT_CHANNELS = ['sms', 'phone_call', 'wecom', 'wechat_oa', 'app_push', 'email'] as const;
export const CONSENT_PURPOSES = ['marketing', 'service', 'survey'] as const;
export const CONSENT_STATES = ['granted', 'denied', 'withdrawn'] as const;

export const consentChannelSchema = z.enum(CONSENT_CHANNELS, { error: `channel must be one of ${CONSENT_CHANNELS.join(', ')}` });
export const consentPurposeSchema = z.enum(CONSENT_PURPOSES, { error: `purpose must be one of ${CONSENT_PURPOSES.join(', ')}` });
export const consentStateSchema = z.enum(CONSENT_STATES, { error: `state must be one of ${CONSENT_STATES.join(', ')}` });
export type ConsentChannel = z.infer<typeof consentChannelSchema>;
export type ConsentPurpose = z.infer<typeof consentPurposeSchema>;
export type ConsentState = z.infer<typeof consentStateSchema>;

const text = requiredText;

export const consentRecordSchema = z
  .strictObject({
    channel: consentChannelSchema,
    purpose: consentPurposeSchema,
    state: consentStateSchema,
    at: isoDateTime.optional().describe('When the person gave or refused consent; defaults to now'),
    source: text(200).nullish().describe('How it was collected, e.g. wecom_form, dms, call_center'),
    orgUnit: text(100).nullish().describe('Code of the org unit (dealer, team) that collected it'),
    note: text(1000).nullish(),
  })
  .meta({ id: 'ConsentRecord' });
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const consentSchema = z
  .object({
    channel: consentChannelSchema,
    purpose: consentPurposeSchema,
    state: consentStateSchema,
    at: z.string(),
    source: z.string().nullable(),
    orgUnit: z.string().nullable(),
  })
  .meta({ id: 'Consent' });
export type Consent = z.infer<typeof consentSchema>;

export const consentHistoryEntrySchema = z
  .object({
    id: z.string(),
    channel: consentChannelSchema,
    purpose: consentPurposeSchema,
    state: consentStateSchema,
    at: z.string(),
    source: z.string().nullable(),
    orgUnit: z.string().nullable(),
    note: z.string().nullable(),
    recordedAt: z.string(),
  })
  .meta({ id: 'ConsentHistoryEntry' });
export type ConsentHistoryEntry = z.infer<typeof consentHistoryEntrySchema>;

export const consentRecordedSchema = z
  .object({
    recorded: z.boolean().describe('false: the same record (channel, purpose, state, at, source) was already there'),
    applied: z.boolean().describe('false: older than the current state, kept in the history only'),
    consent: consentSchema.describe('The current state of this channel and purpose'),
  })
  .meta({ id: 'ConsentRecorded' });
export type ConsentRecorded = z.infer<typeof consentRecordedSchema>;
