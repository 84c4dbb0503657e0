import type { LeadInput } from '../../contracts/leads.js';

/** A lead of an intake call after its checks: its id, idempotency key, time and phone as understood. */

export type Phone = { kind: 'full'; e164: string } | { kind: 'masked'; raw: string } | { kind: 'hash'; hash: string };

export interface PreparedLead {
  input: LeadInput;
  id: string;
  externalId: string;
  createdAt: Date;
  phone: Phone;
  dealerCode: string | null;
  consultantHint: string | null;
}
