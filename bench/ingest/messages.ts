/**
 * Segment-like traffic of a car brand's website and mini program: a track/page/identify mix, visitors
 * with an anonymousId (some also logged in with a userId), properties with Chinese text, and the
 * context analytics.js sends. Deterministic for a given seed, except messageIds (random UUIDs).
 */
import { randomUUID } from 'node:crypto';
import { MAX_BATCH_BYTES } from '../../src/contracts/ingest.js';
import { Rng } from '../../src/testing/fuzz/rng.js';

const MODELS = [
  { code: 'x7', name: '极光 X7', trims: ['长续航后驱版', '高性能四驱版'], priceFen: 25_980_000 },
  { code: 'gt', name: '星瀚 GT', trims: ['标准版', '旗舰版'], priceFen: 31_880_000 },
  { code: 'l9', name: '云途 L9', trims: ['六座豪华版', '七座舒适版'], priceFen: 42_990_000 },
];
const CITIES = ['上海', '北京', '深圳', '杭州', '成都', '武汉', '广州'];
const DEALERS = ['浦东旗舰店', '朝阳4S店', '南山体验中心', '西湖城市展厅', '高新区授权服务中心'];
const CHANNELS = ['官网', '微信小程序', '抖音', '汽车之家', '企业微信'];
const TRACK_EVENTS = ['Test Drive Booked', 'Car Configured', 'Brochure Downloaded', 'Coupon Claimed', 'Store Visit Scheduled'];
const AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN',
  'Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋'];

export interface Workload {
  /** JSON bodies of `POST /v1/batch`, ready to send. */
  bodies: Buffer[];
  events: number;
  bytes: number;
  maxBodyBytes: number;
}

export interface WorkloadOptions {
  events: number;
  /** Events per batch, at most; a batch is also cut before it would pass `maxBodyBytes`. */
  batchEvents: number;
  seed: number;
  maxBodyBytes?: number;
}

export function buildWorkload(opts: WorkloadOptions): Workload {
  const rnd = Rng.stream(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const visitors = Array.from({ length: Math.max(100, Math.ceil(opts.events / 10)) }, (_, i) => ({
    anonymousId: randomUUID(),
    userId: rnd() < 0.4 ? `cust_${String(100000 + i)}` : undefined,
    ip: `${pick(['116.228', '223.104', '39.144', '112.65'])}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
    userAgent: pick(AGENTS),
    city: pick(CITIES),
  }));
  const now = Date.now();
  const limit = Math.min(opts.maxBodyBytes ?? MAX_BATCH_BYTES - 8 * 1024, MAX_BATCH_BYTES);

  const message = (): Record<string, unknown> => {
    const v = pick(visitors);
    const model = pick(MODELS);
    const path = `/models/${model.code}`;
    const context = {
      library: { name: 'analytics.js', version: 'npm:next-1.76.0' },
      ip: v.ip,
      userAgent: v.userAgent,
      locale: 'zh-CN',
      page: { path, url: `https://www.example-auto.cn${path}?utm_source=douyin`, title: `${model.name} | 官方网站`, referrer: 'https://www.douyin.com/' },
    };
    const base = {
      messageId: randomUUID(),
      anonymousId: v.anonymousId,
      ...(v.userId ? { userId: v.userId } : {}),
      timestamp: new Date(now - Math.floor(rnd() * 7 * 86_400_000)).toISOString(),
      context,
    };
    const r = rnd();
    if (r < 0.55) {
      const event = pick(TRACK_EVENTS);
      return {
        type: 'track',
        event,
        ...base,
        properties: {
          model: model.name,
          trim: pick(model.trims),
          price_fen: model.priceFen,
          dealer: `${v.city}${pick(DEALERS)}`,
          channel: pick(CHANNELS),
          ...(event === 'Test Drive Booked' ? { note: '希望周末到店试驾，请顾问提前联系' } : {}),
        },
      };
    }
    if (r < 0.9) {
      return {
        type: 'page',
        name: `${model.name} 车型详情`,
        category: '车型',
        ...base,
        properties: { path, title: `${model.name} | 官方网站`, url: context.page.url },
      };
    }
    return {
      type: 'identify',
      ...base,
      userId: v.userId ?? `cust_${Math.floor(rnd() * 1e6)}`,
      traits: {
        name: `${pick(SURNAMES)}${pick(GIVEN)}`,
        phone: `+86138${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`,
        city: v.city,
        intended_model: model.name,
        wecom_added: rnd() < 0.5,
      },
    };
  };

  const bodies: Buffer[] = [];
  let bytes = 0;
  let maxBodyBytes = 0;
  const flush = (parts: string[]) => {
    const body = Buffer.from(`{"batch":[${parts.join(',')}],"sentAt":"${new Date().toISOString()}"}`, 'utf8');
    if (body.length > MAX_BATCH_BYTES) throw new Error(`bench bug: a batch of ${body.length} bytes passes the limit`);
    bodies.push(body);
    bytes += body.length;
    maxBodyBytes = Math.max(maxBodyBytes, body.length);
  };
  let parts: string[] = [];
  let partBytes = 64;
  for (let i = 0; i < opts.events; i++) {
    const json = JSON.stringify(message());
    const size = Buffer.byteLength(json) + 1;
    if (parts.length >= opts.batchEvents || (parts.length > 0 && partBytes + size > limit)) {
      flush(parts);
      parts = [];
      partBytes = 64;
    }
    parts.push(json);
    partBytes += size;
  }
  if (parts.length) flush(parts);
  return { bodies, events: opts.events, bytes, maxBodyBytes };
}
