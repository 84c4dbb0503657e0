import { domainClassSchema, sourceKindSchema, type DomainClass, type SourceKind } from '../../contracts/tenancy.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { hashSecret, newId, newSecret, secretPrefix } from '../../platform/ids.js';
import { cachedKey, forgetKeys } from './key-cache.js';
import type { Principal } from './principal.js';
import { adminTokenPrincipal } from './principal.repo.js';
import * as repo from './repo.js';
import type { WriteKeyPrincipal } from './key-cache.js';

/** Where a touchpoint's people sit by default (DOMAIN.md); a source may override it. */
export const DEFAULT_DOMAIN_CLASS: Record<SourceKind, DomainClass> = {
  website: 'absolute',
  app: 'absolute',
  dms: 'absolute',
  call_center: 'absolute',
  offline_store: 'absolute',
  wecom: 'secondary',
  mini_program: 'secondary',
  wechat_oa: 'middle',
  douyin: 'semi',
  xiaohongshu: 'semi',
  ecommerce: 'semi',
  autohome: 'public',
  yiche: 'public',
  dongchedi: 'public',
  // Unknown reach: assume none rather than overstate the private domain.
  other: 'public',
};

export interface TenancyDeps {
  db: Db;
  clock: Clock;
}

/** Who did it, for the audit log: `admin_token:<id>` or `cli`. */
export type Actor = string;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type WriteKeyRow = Awaited<ReturnType<typeof repo.listWriteKeys>>[number];
type SourceRow = NonNullable<Awaited<ReturnType<typeof repo.findSource>>>;

function sourceView(s: SourceRow, keys: WriteKeyRow[]) {
  return {
    id: s.id,
    name: s.name,
    kind: sourceKindSchema.parse(s.kind),
    domainClass: domainClassSchema.parse(s.domain_class),
    createdAt: s.created_at.toISOString(),
    writeKeys: keys
      .filter((k) => k.source_id === s.id)
      .map((k) => ({ id: k.id, prefix: k.key_prefix, createdAt: k.created_at.toISOString(), revokedAt: iso(k.revoked_at) })),
  };
}

async function issueWriteKey(db: Db, tenantId: string, sourceId: string) {
  const key = newSecret('wk');
  const row = await repo.insertWriteKey(db, { tenantId, id: newId(), sourceId, hash: hashSecret(key), prefix: secretPrefix(key) });
  return { id: row.id, sourceId, key, prefix: row.key_prefix, createdAt: row.created_at.toISOString() };
}

async function issueAdminToken(db: Db, tenantId: string, name: string) {
  const token = newSecret('at');
  const row = await repo.insertAdminToken(db, { tenantId, id: newId(), name, hash: hashSecret(token), prefix: secretPrefix(token) });
  return { id: row.id, name: row.name, prefix: row.token_prefix, createdAt: row.created_at.toISOString(), revokedAt: null, token };
}

/** A new tenant with a default source, its write key and a first admin token, in one transaction. */
export async function createTenant(deps: TenancyDeps, input: { name: string }, actor: Actor = 'cli') {
  return deps.db.transaction().execute(async (trx) => {
    const tenantId = newId();
    await repo.insertTenant(trx, { id: tenantId, name: input.name });
    const source = await repo.insertSource(trx, { tenantId, id: newId(), name: 'default', kind: 'website', domainClass: DEFAULT_DOMAIN_CLASS.website });
    if (!source) throw new AppError('internal', 'could not create the default source');
    const writeKey = await issueWriteKey(trx, tenantId, source.id);
    const adminToken = await issueAdminToken(trx, tenantId, 'initial');
    await repo.insertAudit(trx, { tenantId, actor, action: 'tenant.create', targetType: 'tenant', targetId: tenantId, details: { name: input.name } });
    return { tenantId, sourceId: source.id, writeKey: writeKey.key, adminToken: adminToken.token };
  });
}

export async function listSources(deps: TenancyDeps, tenantId: string) {
  const [sources, keys] = await Promise.all([repo.listSources(deps.db, tenantId), repo.listWriteKeys(deps.db, tenantId)]);
  return sources.map((s) => sourceView(s, keys));
}

export async function getSource(deps: TenancyDeps, tenantId: string, sourceId: string) {
  const source = await repo.findSource(deps.db, tenantId, sourceId);
  if (!source) throw new AppError('not_found', `source ${sourceId} does not exist`);
  return sourceView(source, await repo.listWriteKeys(deps.db, tenantId, sourceId));
}

export async function createSource(
  deps: TenancyDeps,
  tenantId: string,
  input: { name: string; kind: SourceKind; domainClass?: DomainClass | undefined },
  actor: Actor,
) {
  return deps.db.transaction().execute(async (trx) => {
    const domainClass = input.domainClass ?? DEFAULT_DOMAIN_CLASS[input.kind];
    const source = await repo.insertSource(trx, { tenantId, id: newId(), name: input.name, kind: input.kind, domainClass });
    if (!source) {
      const existing = await repo.findSourceByName(trx, tenantId, input.name);
      throw new AppError('conflict', `a source named "${input.name}" already exists; pick another name or use it`, {
        sourceId: existing?.id ?? null,
      });
    }
    const writeKey = await issueWriteKey(trx, tenantId, source.id);
    await repo.insertAudit(trx, { tenantId, actor, action: 'source.create', targetType: 'source', targetId: source.id, details: { name: input.name, kind: input.kind, domainClass } });
    await repo.insertAudit(trx, { tenantId, actor, action: 'write_key.create', targetType: 'write_key', targetId: writeKey.id, details: { sourceId: source.id } });
    const keys = await repo.listWriteKeys(trx, tenantId, source.id);
    return { source: sourceView(source, keys), writeKey };
  });
}

/** A new write key for the source; with `revokeExisting`, a rotation: the others stop working at once. */
export async function createWriteKey(deps: TenancyDeps, tenantId: string, sourceId: string, revokeExisting: boolean, actor: Actor) {
  const created = await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.lockSource(trx, tenantId, sourceId))) throw new AppError('not_found', `source ${sourceId} does not exist`);
    const writeKey = await issueWriteKey(trx, tenantId, sourceId);
    await repo.insertAudit(trx, { tenantId, actor, action: 'write_key.create', targetType: 'write_key', targetId: writeKey.id, details: { sourceId, revokeExisting } });
    if (revokeExisting) {
      const revoked = await repo.revokeWriteKeys(trx, { tenantId, sourceId, except: writeKey.id, at: deps.clock.now() });
      for (const r of revoked) {
        await repo.insertAudit(trx, { tenantId, actor, action: 'write_key.revoke', targetType: 'write_key', targetId: r.id, details: { sourceId, rotatedTo: writeKey.id } });
      }
    }
    return writeKey;
  });
  if (revokeExisting) forgetKeys(deps.db);
  return created;
}

/** Idempotent: revoking a revoked key answers with the time it was revoked. */
export async function revokeWriteKey(deps: TenancyDeps, tenantId: string, sourceId: string, keyId: string, actor: Actor) {
  const result = await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.lockSource(trx, tenantId, sourceId))) throw new AppError('not_found', `source ${sourceId} does not exist`);
    const revoked = await repo.revokeWriteKeys(trx, { tenantId, sourceId, keyId, at: deps.clock.now() });
    if (revoked.length > 0) {
      await repo.insertAudit(trx, { tenantId, actor, action: 'write_key.revoke', targetType: 'write_key', targetId: keyId, details: { sourceId } });
    }
    const key = await repo.findWriteKey(trx, tenantId, sourceId, keyId);
    if (!key) throw new AppError('not_found', `write key ${keyId} does not exist on source ${sourceId}`);
    return { id: key.id, prefix: key.key_prefix, createdAt: key.created_at.toISOString(), revokedAt: iso(key.revoked_at) };
  });
  forgetKeys(deps.db);
  return result;
}

export async function listAdminTokens(deps: TenancyDeps, tenantId: string) {
  const rows = await repo.listAdminTokens(deps.db, tenantId);
  return rows.map((t) => ({ id: t.id, name: t.name, prefix: t.token_prefix, createdAt: t.created_at.toISOString(), revokedAt: iso(t.revoked_at) }));
}

export async function createAdminToken(deps: TenancyDeps, tenantId: string, name: string, actor: Actor) {
  return deps.db.transaction().execute(async (trx) => {
    const token = await issueAdminToken(trx, tenantId, name);
    await repo.insertAudit(trx, { tenantId, actor, action: 'admin_token.create', targetType: 'admin_token', targetId: token.id, details: { name } });
    return token;
  });
}

/** Revokes an admin token, but never the tenant's last active one: that would lock everybody out. */
export async function revokeAdminToken(deps: TenancyDeps, tenantId: string, tokenId: string, actor: Actor) {
  return deps.db.transaction().execute(async (trx) => {
    // Lock first, then read: a concurrent revocation of the same token is then seen as done.
    const active = await repo.lockActiveAdminTokens(trx, tenantId);
    const existing = await repo.findAdminToken(trx, tenantId, tokenId);
    if (!existing) throw new AppError('not_found', `admin token ${tokenId} does not exist`);
    if (!existing.revoked_at) {
      if (active.length <= 1) {
        throw new AppError('last_admin_token', 'this is the last active admin token; create another one before revoking it', { tokenId });
      }
      await repo.revokeAdminToken(trx, tenantId, tokenId, deps.clock.now());
      await repo.insertAudit(trx, { tenantId, actor, action: 'admin_token.revoke', targetType: 'admin_token', targetId: tokenId });
    }
    const t = await repo.findAdminToken(trx, tenantId, tokenId);
    if (!t) throw new AppError('not_found', `admin token ${tokenId} does not exist`);
    return { id: t.id, name: t.name, prefix: t.token_prefix, createdAt: t.created_at.toISOString(), revokedAt: iso(t.revoked_at) };
  });
}

export type { WriteKeyPrincipal } from './key-cache.js';

/** Verifies a write key; recently verified keys are answered from memory (see key-cache.ts). */
export async function authenticateWriteKey(db: Db, key: string, now = Date.now()): Promise<WriteKeyPrincipal | null> {
  const hash = hashSecret(key);
  return cachedKey(db, hash, now, async () => {
    const row = await repo.findActiveWriteKeyByHash(db, hash);
    return row ? { tenantId: row.tenant_id, sourceId: row.source_id, writeKeyId: row.id } : null;
  });
}

/** An admin token acts as the tenant's admin, seeing everything. */
export async function authenticateAdminToken(db: Db, token: string): Promise<Principal | null> {
  const row = await repo.findActiveAdminTokenByHash(db, hashSecret(token));
  return row ? adminTokenPrincipal(row.tenant_id, row.id) : null;
}
