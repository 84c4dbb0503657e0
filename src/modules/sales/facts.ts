import { STANDARD_EVENTS } from '../../contracts/vocabulary.js';
import type { OwnMessage } from '../ingest/index.js';
import type { AfterSalesRow } from './after-sales.repo.js';
import type { OrderRow } from './orders.repo.js';

/**
 * Orders, deliveries and after-sales records as Siyu's standard events (docs/funnel.md, "Business
 * facts as events"), addressed to the people by profile and stored under the tenant's own source.
 * The messageId is derived from the fact (a fact written again is stored once) and the timestamp is
 * the fact's own time, so timelines and windows are historical.
 */

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

function orderProperties(o: OrderRow): Record<string, unknown> {
  return defined({
    orderNo: o.order_no,
    leadId: o.lead_id,
    dealerCode: o.dealer_code,
    dealerName: o.dealer_name,
    consultantId: o.consultant_id,
    series: o.series,
    model: o.model,
    amountFen: Number(o.amount_fen),
  });
}

const track = (profileId: string, event: string, messageId: string, at: Date, properties: Record<string, unknown>): OwnMessage => ({
  profileId,
  message: { type: 'track', event, messageId, timestamp: at.toISOString(), properties },
});

/**
 * A new order: `Order Placed` on the buyer's timeline and, for a referred order, `Referral Made` on
 * the referrer's, both at the order time. The VIN a stock order may carry is left to the delivery: a
 * `vin` property makes the person a driver of the car (One ID reads it as a vehicle mention).
 */
export function orderPlacedMessages(o: OrderRow): OwnMessage[] {
  const props = orderProperties(o);
  const messages = [track(o.profile_id, STANDARD_EVENTS.orderPlaced, `order:${o.order_no}:placed`, o.ordered_at, { ...props, ...defined({ referredByProfileId: o.referred_by }) })];
  if (o.referred_by !== null) {
    messages.push(track(o.referred_by, STANDARD_EVENTS.referralMade, `order:${o.order_no}:referral`, o.ordered_at, { ...props, referredProfileId: o.profile_id }));
  }
  return messages;
}

/**
 * The car handed over: `Vehicle Delivered` at the delivery time, with the VIN as a vehicle mention
 * of the buyer as owner (what the delivery itself recorded, so resolving it changes nothing, and a
 * rebuild of the identity graph finds the ownership again).
 */
export function vehicleDeliveredMessages(o: OrderRow): OwnMessage[] {
  if (o.delivered_at === null || o.vin === null) return [];
  return [track(o.profile_id, STANDARD_EVENTS.vehicleDelivered, `order:${o.order_no}:delivered`, o.delivered_at, { ...orderProperties(o), vin: o.vin, vehicleRole: 'owner' })];
}

/**
 * An after-sales record (maintenance, repair, insurance renewal, accessories, trade-in appraisal):
 * `Service Completed` at the record's time, its kind as `serviceType`. The car is `vehicleVin`, not
 * `vin`: the customer may be its owner or somebody else, and a `vin` would link them to it as a driver.
 */
export function serviceCompletedMessages(r: AfterSalesRow): OwnMessage[] {
  return [
    track(
      r.profile_id,
      STANDARD_EVENTS.serviceCompleted,
      `aftersales:${r.id}`,
      r.at,
      defined({
        afterSalesId: r.id,
        externalId: r.external_id,
        serviceType: r.kind,
        amountFen: Number(r.amount_fen),
        dealerCode: r.dealer_code,
        dealerName: r.dealer_name,
        vehicleVin: r.vin,
      }),
    ),
  ];
}
