import { z } from 'zod';
import { storableText } from './common.js';

export const SOURCE_KINDS = [
  'website', 'app', 'wechat_oa', 'mini_program', 'wecom', 'douyin', 'xiaohongshu', 'autohome', 'yiche',
  'dongchedi', 'dms', 'call_center', 'offline_store', 'ecommerce', 'other',
] as const;
export const DOMAIN_CLASSES = ['absolute', 'secondary', 'middle', 'semi', 'public'] as const;

export const sourceKindSchema = z.enum(SOURCE_KINDS, { error: `kind must be one of ${SOURCE_KINDS.join(', ')}` });
export const domainClassSchema = z
  .enum(DOMAIN_CLASSES, { error: `domainClass must be one of ${DOMAIN_CLASSES.join(', ')}` })
  .describe('How strongly the brand can reach people through this touchpoint (DOMAIN.md)');
export type SourceKind = z.infer<typeof sourceKindSchema>;
export type DomainClass = z.infer<typeof domainClassSchema>;

const name = z
  .string({ error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(200, 'name must be at most 200 characters')
  .pipe(storableText);

export const tenantCreateSchema = z.object({ name });

export const sourceCreateSchema = z
  .object({
    name,
    kind: sourceKindSchema,
    domainClass: domainClassSchema.optional().describe('Defaults from the kind, e.g. wecom → secondary, autohome → public'),
  })
  .meta({ id: 'SourceCreate' });

export const writeKeyInfoSchema = z.object({
  id: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart'),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const sourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: sourceKindSchema,
    domainClass: domainClassSchema,
    createdAt: z.string(),
    writeKeys: z.array(writeKeyInfoSchema),
  })
  .meta({ id: 'Source' });

export const newWriteKeySchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    key: z.string().describe('The write key. Shown once: only its hash is stored.'),
    prefix: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'NewWriteKey' });

export const sourceCreatedSchema = z.object({ source: sourceSchema, writeKey: newWriteKeySchema });

export const writeKeyCreateSchema = z.object({
  revokeExisting: z
    .boolean()
    .default(false)
    .describe('Rotate: revoke every other key of the source in the same step'),
});

export const adminTokenCreateSchema = z.object({ name });

export const adminTokenInfoSchema = z
  .object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .meta({ id: 'AdminToken' });

export const newAdminTokenSchema = adminTokenInfoSchema
  .extend({ token: z.string().describe('The bearer token. Shown once: only its hash is stored.') })
  .meta({ id: 'NewAdminToken' });

export const tenantCreatedSchema = z.object({
  tenantId: z.string(),
  sourceId: z.string(),
  writeKey: z.string(),
  adminToken: z.string(),
});
export type TenantCreated = z.infer<typeof tenantCreatedSchema>;

export const idParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });
export const sourceKeyParams = z.object({
  sourceId: z.uuid({ error: 'must be a UUID' }),
  keyId: z.uuid({ error: 'must be a UUID' }),
});
export const sourceParams = z.object({ sourceId: z.uuid({ error: 'must be a UUID' }) });
