import type { FastifyInstance } from 'fastify';
import type { Clock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { startFakeWecom } from '../testing/fakes/wecom.js';
import { drainIdentityQueue, siyuWorker } from '../worker/index.js';
import { configureOperations, importServices, linkHouseholds, recordConsents, tagVips } from './after.js';
import { loadLeads, loadPastOrders, People } from './funnel.js';
import { apiOf } from './http.js';
import { planJourneys } from './journeys.js';
import { Phones, planNetwork, type PlannedStaff } from './network.js';
import { DAY, planPeople } from './people.js';
import { Rng } from './random.js';
import { createDemoTenant } from './setup.js';
import { sendTracks } from './tracking.js';
import { connectCorp, demoCorp, sendFriendships } from './wecom.js';

/**
 * The demo brand (岚山汽车, Lanshan Auto): a deterministic synthetic car brand written into a new tenant
 * through Siyu's own doors — tracking through `/v1/batch`, leads through intake, their histories through
 * the funnel and sales modules, WeCom through signed callbacks from an in-process fake WeCom, repair
 * orders through the after-sales CSV import, configuration through the admin API.
 */

export const DEFAULT_DEMO_PEOPLE = 20_000;
export const DEFAULT_DEMO_SEED = 'lanshan';
/** The history covers this many days up to now. */
export const DEMO_DAYS = 548;

export interface DemoDeps {
  store: Store;
  /** The Siyu app the demo calls (in process). */
  app: FastifyInstance;
  clock: Clock;
  secretKey?: Buffer | undefined;
  logger?: Logger | undefined;
}

export interface DemoOptions {
  people?: number;
  seed?: string;
  /** Leads whose histories are written at once (1 on the embedded store, more on a server). */
  width?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface DemoSignIn {
  role: PlannedStaff['role'];
  username: string;
  password: string;
  orgUnitCode: string;
  name: string;
}

export interface DemoResult {
  tenantId: string;
  writeKey: string;
  adminToken: string;
  staff: DemoSignIn[];
  counts: {
    people: number;
    staff: number;
    dealers: number;
    trackedEvents: number;
    leads: number;
    duplicateLeads: number;
    funnelSteps: number;
    orders: number;
    deliveries: number;
    pastDeliveries: number;
    wecomAdds: number;
    wecomRemovals: number;
    afterSales: number;
    consents: number;
    households: number;
    tags: number;
    segments: number;
  };
}

export async function createDemo(deps: DemoDeps, options: DemoOptions = {}): Promise<DemoResult> {
  const count = options.people ?? DEFAULT_DEMO_PEOPLE;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const progress = options.onProgress ?? (() => undefined);
  const width = options.width ?? (deps.store.engine === 'pglite' ? 1 : 6);
  if (!deps.secretKey) {
    throw new Error('the demo connects a WeCom corp (an in-process fake), whose credentials are stored encrypted: set SIYU_SECRET_KEY to 32 random bytes (e.g. `openssl rand -base64 32`)');
  }
  const now = deps.clock.now();
  const start = new Date(Math.floor((now.getTime() - DEMO_DAYS * DAY) / DAY) * DAY);

  const phones = new Phones(Rng.for(seed, 'phones'));
  const network = planNetwork(Rng.for(seed, 'network'), phones);
  const people = planPeople(Rng.for(seed, 'people'), phones, count, start, now);
  const journeys = planJourneys(Rng.for(seed, 'journeys'), network, people, start, now);

  const t = await createDemoTenant({ db: deps.store.db, clock: deps.clock }, network, (done, total) => progress('staff', done, total));
  const api = apiOf(deps.app, t.adminToken);
  const worker = siyuWorker({ db: deps.store.db, store: deps.store, clock: deps.clock, secretKey: deps.secretKey, onlyTenant: t.tenantId, wecomClient: { limits: { corp: { perMinute: 1e9, burst: 1e6 }, perApi: { perMinute: 1e9, burst: 1e6 } } } });
  const resolve = async () => drainIdentityQueue(deps.store.db, deps.clock, t.tenantId);

  // The operators' set-up first (models, tags, segments), so that the data is evaluated once, as it arrives.
  const operations = await configureOperations(api);

  await sendTracks(api, t.writeKeys, journeys.tracks, (done, total) => progress('tracking events', done, total));
  progress('resolving identities', 0, 0);
  await resolve();

  const lookup = new People(deps.store.db, t);
  const pastDeliveries = await loadPastOrders(deps.store, t, lookup, journeys.pastOrders, (done, total) => progress('owners (DMS)', done, total));
  const funnel = await loadLeads(deps.store, t, lookup, journeys.leads, width, (done, total) => progress('leads and the funnel', done, total));

  const corp = demoCorp();
  const fake = await startFakeWecom({ corpId: corp.corpId, secrets: [corp.secret] });
  let wecomRemovals = 0;
  try {
    const connectorId = await connectCorp(api, t, network, corp, fake);
    await sendFriendships(api, connectorId, corp, fake, journeys.friendships, 'added', (done, total) => progress('WeCom friendships', done, total));
    progress('WeCom: applying callbacks', 0, 0);
    await worker.drain(1_000_000);
    wecomRemovals = await sendFriendships(api, connectorId, corp, fake, journeys.friendships, 'removed', (done, total) => progress('WeCom deletions', done, total));
    await worker.drain(1_000_000);
  } finally {
    await fake.close();
  }

  const afterSales = await importServices(api, journeys.services, (done, total) => progress('after-sales (CSV)', done, total));
  const consents = await recordConsents(api, lookup, journeys.consents, (done, total) => progress('consents', done, total));
  const households = await linkHouseholds(api, lookup, journeys.households);
  await tagVips(api, lookup, operations.vipTagId, journeys.pastOrders.filter((_, i) => i % 17 === 0).map((o) => o.person));

  progress('refreshing tags, stages and segments', 0, 0);
  await resolve();
  await worker.drain(1_000_000);

  const showcase = [...network.dealers].sort((a, b) => journeys.leads.filter((l) => l.dealer === b).length - journeys.leads.filter((l) => l.dealer === a).length)[0]!;
  const signIns = [network.hqStaff[0]!, network.hqStaff[1]!, network.hqStaff[3]!, showcase.manager, showcase.consultants[0]!, showcase.advisors[0]!];
  return {
    tenantId: t.tenantId,
    writeKey: t.writeKey,
    adminToken: t.adminToken,
    staff: signIns.map((s) => ({ role: s.role, username: t.usernameOf(s), password: t.password, orgUnitCode: s.unitCode, name: s.name })),
    counts: {
      people: count,
      staff: t.staffIds.size,
      dealers: network.dealers.length,
      trackedEvents: journeys.tracks.length,
      leads: funnel.leads,
      duplicateLeads: funnel.duplicates,
      funnelSteps: funnel.steps,
      orders: funnel.orders,
      deliveries: funnel.deliveries,
      pastDeliveries,
      wecomAdds: journeys.friendships.length,
      wecomRemovals,
      afterSales,
      consents,
      households,
      tags: operations.tags,
      segments: operations.segments,
    },
  };
}
