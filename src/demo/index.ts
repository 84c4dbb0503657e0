import type { FastifyInstance } from 'fastify';
import type { Clock } from '../platform/clock.js';
import { analyzeStale, type Store } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { startFakeWecom } from '../testing/fakes/wecom.js';
import { backlogOf } from '../modules/identity/index.js';
import { CALLBACKS_JOB, countPending } from '../modules/wecom/index.js';
import { pendingJobs } from '../platform/jobs/index.js';
import { drainIdentityQueue, siyuWorker } from '../worker/index.js';
import { configureOperations, importServices, linkHouseholds, recordConsents, tagVips } from './after.js';
import { loadLeads, loadPastOrders, People } from './funnel.js';
import { apiOf } from './http.js';
import { planJourneys } from './journeys.js';
import { Phones, planNetwork, type PlannedStaff } from './network.js';
import { DAY, planPeople } from './people.js';
import { Rng } from './random.js';
import { addDemoStaff, createDemoTenant } from './setup.js';
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
/** The dealer whose manager, consultant and advisor sign in first (岚山汽车上海浦东4S店). */
export const SHOWCASE_DEALER = 'SH01';

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
  /** Seconds each phase took, in order. */
  phases: { phase: string; seconds: number }[];
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

/**
 * Runs `work` while showing how much of what was waiting at the start is done, by asking `waiting`
 * once a second.
 */
async function watching<T>(progress: (phase: string, done: number, total: number) => void, phase: string, waiting: () => Promise<number>, work: () => Promise<T>): Promise<T> {
  const total = await waiting();
  progress(phase, 0, total);
  let asking = false;
  const timer = setInterval(() => {
    if (asking) return;
    asking = true;
    waiting()
      .then((left) => progress(phase, Math.max(0, total - left), total))
      .catch(() => undefined)
      .finally(() => (asking = false));
  }, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    progress(phase, total, total);
  }
}

export async function createDemo(deps: DemoDeps, options: DemoOptions = {}): Promise<DemoResult> {
  const count = options.people ?? DEFAULT_DEMO_PEOPLE;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const phases: DemoResult['phases'] = [];
  let current: { phase: string; started: number } | null = null;
  const progress = (phase: string, done: number, total: number) => {
    if (current?.phase !== phase) {
      const t = performance.now();
      if (current) phases.push({ phase: current.phase, seconds: (t - current.started) / 1000 });
      current = { phase, started: t };
    }
    options.onProgress?.(phase, done, total);
  };
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

  progress('tenant and dealer network', 0, 0);
  const t = await createDemoTenant({ db: deps.store.db, clock: deps.clock }, network);
  const api = apiOf(deps.app, t.adminToken);
  const workerDeps = { db: deps.store.db, store: deps.store, clock: deps.clock, secretKey: deps.secretKey, onlyTenant: t.tenantId };
  // The fake WeCom answers at once and has no rate limits: WeCom's own (400 externalcontact/get a minute) would take an hour.
  const callbacks = siyuWorker({ ...workerDeps, kinds: [CALLBACKS_JOB], wecomClient: { limits: { corp: { perMinute: 1e9, burst: 1e6 }, perApi: { perMinute: 1e9, burst: 1e6 } } } });
  const worker = siyuWorker(workerDeps);
  const dueJobs = async () => (await pendingJobs(deps.store.db, t.tenantId)).filter((j) => j.runAt <= deps.clock.now()).length;
  const resolve = async () => drainIdentityQueue(deps.store.db, deps.clock, t.tenantId);

  // The operators' set-up first (models, tags, segments), so that the data is evaluated once, as it arrives.
  progress('models, tags and segments', 0, 0);
  const operations = await configureOperations(api);

  // Staff passwords are hashed on libuv's threads while the tracking events are stored and resolved.
  let staffShown = false;
  const staff = addDemoStaff(t, network, (done, total) => {
    if (staffShown) progress('staff', done, total);
  });
  progress('tracking events (and staff)', 0, journeys.tracks.length);
  await sendTracks(api, t.writeKeys, journeys.tracks, (done, total) => progress('tracking events (and staff)', done, total));
  await watching(progress, 'resolving identities (and staff)', async () => Number((await backlogOf(deps.store.db, t.tenantId)).waiting_events ?? 0), resolve);
  staffShown = true;
  progress('staff', 0, 0);
  await staff;

  const lookup = new People(deps.store.db, t);
  progress('owners (DMS)', 0, journeys.pastOrders.length);
  const pastDeliveries = await loadPastOrders(deps.store, deps.clock, t, lookup, journeys.pastOrders, (done, total) => progress('owners (DMS)', done, total));
  progress('leads and the funnel', 0, journeys.leads.length);
  const funnel = await loadLeads(deps.store, t, lookup, journeys.leads, width, (done, total) => progress('leads and the funnel', done, total));

  const corp = demoCorp();
  const fake = await startFakeWecom({ corpId: corp.corpId, secrets: [corp.secret] });
  let wecomRemovals = 0;
  try {
    const connectorId = await connectCorp(api, t, network, corp, fake);
    await sendFriendships(api, connectorId, corp, fake, journeys.friendships, 'added', (done, total) => progress('WeCom friendships', done, total));
    const waiting = () => countPending(deps.store.db, t.tenantId, connectorId);
    await watching(progress, 'WeCom: applying friendships', waiting, () => callbacks.drain(1_000_000));
    wecomRemovals = await sendFriendships(api, connectorId, corp, fake, journeys.friendships, 'removed', (done, total) => progress('WeCom deletions', done, total));
    await watching(progress, 'WeCom: applying deletions', waiting, () => callbacks.drain(1_000_000));
  } finally {
    await fake.close();
  }

  progress('after-sales (CSV)', 0, journeys.services.length);
  const afterSales = await importServices(api, journeys.services, (done, total) => progress('after-sales (CSV)', done, total));
  const consents = await recordConsents(api, lookup, journeys.consents, (done, total) => progress('consents', done, total));
  progress('households and VIP tags', 0, 0);
  const households = await linkHouseholds(api, lookup, journeys.households);
  await tagVips(api, lookup, operations.vipTagId, journeys.pastOrders.filter((_, i) => i % 17 === 0).map((o) => o.person));

  await resolve();
  // What the server's worker would do over the next seconds: lead SLA checks, then the refresh of
  // tags, stages and segments for everyone touched.
  await watching(progress, 'background jobs (SLA checks, refresh)', dueJobs, () => worker.drain(1_000_000));
  progress('planner statistics', 0, 1);
  await analyzeStale(deps.store.db);
  progress('done', 0, 0);

  // The store whose sign-ins are printed: the same in every demo (the README's examples use it).
  const showcase = network.dealers.find((d) => d.code === SHOWCASE_DEALER) ?? network.dealers[0]!;
  const signIns = [network.hqStaff[0]!, network.hqStaff[1]!, network.hqStaff[3]!, showcase.manager, showcase.consultants[0]!, showcase.advisors[0]!];
  return {
    phases,
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
