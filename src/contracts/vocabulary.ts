/**
 * Siyu's standard track-event names: what presets (5A, AARRR, AIPL) and rollups read. Connectors
 * (WeCom callbacks, lead adapters, DMS imports) emit these; a tenant's own sources should too. The
 * facts Siyu records itself (leads and their funnel, orders, deliveries, after-sales) enter the
 * person's timeline under these names too (docs/funnel.md, "Business facts as events").
 */
export const STANDARD_EVENTS = {
  contentViewed: 'Content Viewed',
  oaFollowed: 'Official Account Followed',
  oaUnfollowed: 'Official Account Unfollowed',
  wecomContactAdded: 'WeCom Contact Added',
  wecomContactRemoved: 'WeCom Contact Removed',
  miniProgramOpened: 'Mini Program Opened',
  signedUp: 'Signed Up',
  leadCreated: 'Lead Created',
  leadAssigned: 'Lead Assigned',
  leadDefeated: 'Lead Defeated',
  priceInquiry: 'Price Inquiry',
  testDriveBooked: 'Test Drive Booked',
  testDriveCompleted: 'Test Drive Completed',
  storeVisited: 'Store Visited',
  orderPlaced: 'Order Placed',
  vehicleDelivered: 'Vehicle Delivered',
  serviceCompleted: 'Service Completed',
  referralMade: 'Referral Made',
  npsSubmitted: 'NPS Submitted',
  reviewPosted: 'Review Posted',
} as const;
