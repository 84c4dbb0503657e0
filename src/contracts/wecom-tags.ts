import { z } from 'zod';
import { uuidString } from './common.js';
import { tagKindSchema } from './tags.js';

/**
 * Tag sync between Siyu tag groups and a WeCom corp's customer tags (企业客户标签), both ways: the
 * Siyu tag groups a connector syncs, its full runs (pull + push) and what they did.
 */

/** WeCom's limit on the name of a customer tag or tag group (add_corp_tag, edit_corp_tag). */
export const WECOM_TAG_NAME_MAX = 30;
/** How many Siyu tag groups one connector may sync. */
export const TAG_SYNC_GROUPS_MAX = 100;

export const wecomTagSyncParams = z.object({ connectorId: uuidString.describe('The WeCom connector (GET /api/v1/connectors/wecom lists them)') });

export const wecomTagSyncUpdateSchema = z
  .strictObject({
    tagGroupIds: z
      .array(uuidString, { error: 'tagGroupIds must be a list of tag group ids' })
      .max(TAG_SYNC_GROUPS_MAX, `tagGroupIds takes at most ${TAG_SYNC_GROUPS_MAX} groups`)
      .describe(
        'The Siyu tag groups to keep in step with the corp\'s customer tags (GET /api/v1/tag-groups lists them); an empty list stops the sync. ' +
          `Group and tag names must be at most ${WECOM_TAG_NAME_MAX} characters, WeCom's limit`,
      ),
  })
  .meta({ id: 'WecomTagSyncUpdate' });
export type WecomTagSyncUpdate = z.infer<typeof wecomTagSyncUpdateSchema>;

const count = z.number().int();

export const wecomTagSyncCountsSchema = z
  .object({
    pushed: z
      .object({
        created: count.describe('Tags created in WeCom (add_corp_tag)'),
        renamed: count.describe('Tags and groups renamed in WeCom (edit_corp_tag)'),
        deleted: count.describe('Tags deleted in WeCom (del_corp_tag)'),
        marked: count.describe('Customers whose tags were set for a consultant (mark_tag calls)'),
      })
      .describe('What Siyu changed in WeCom'),
    pulled: z
      .object({
        created: count.describe('Siyu tags created for tags made in WeCom'),
        renamed: count.describe('Siyu tags renamed after WeCom'),
        deleted: count.describe('Siyu tags deleted after WeCom'),
        applied: count.describe('Tags given to people because a consultant set them in WeCom'),
        removed: count.describe('Tags taken from people because the consultants removed them in WeCom'),
      })
      .describe('What WeCom changed in Siyu'),
    problems: z.array(z.string()).describe('What could not be synced and what to do about it (at most 50)'),
  })
  .meta({ id: 'WecomTagSyncCounts' });
export type WecomTagSyncCounts = z.infer<typeof wecomTagSyncCountsSchema>;

export const TAG_SYNC_RUN_STATES = ['idle', 'queued', 'running', 'succeeded', 'failed'] as const;

const problemSchema = z.object({ code: z.string(), message: z.string() });

export const wecomTagSyncSchema = z
  .object({
    connectorId: z.string(),
    tagGroups: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          wecomGroupId: z.string().nullable().describe('The corp tag group it maps to; null until its first tag is in WeCom'),
          wecomGroupName: z.string().nullable().describe("The group's name in WeCom (it may differ: Siyu tag groups are not renamed after WeCom)"),
          tags: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              kind: tagKindSchema,
              wecomTagId: z.string().nullable().describe('The corp tag it maps to; null until the next run creates it'),
            }),
          ),
        }),
      )
      .describe('The Siyu tag groups this connector syncs'),
    wecomGroups: z
      .array(z.object({ wecomGroupId: z.string(), name: z.string(), tagCount: count, tagGroupId: z.string().nullable().describe('The Siyu tag group it maps to, if synced') }))
      .describe("The corp's customer tag groups as last read from WeCom; a group made in WeCom is synced by syncing a Siyu tag group of the same name"),
    pendingCustomers: count.describe('Customers whose tags wait to be reconciled'),
    run: z
      .object({
        state: z.enum(TAG_SYNC_RUN_STATES).describe('The last full run: idle (never asked), queued, running, succeeded, failed'),
        requestedAt: z.string().nullable(),
        requestedBy: z.string().nullable(),
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
        result: wecomTagSyncCountsSchema.nullable().describe('What the run did so far (running) or in all (succeeded)'),
        error: problemSchema.nullable().describe('Why a failed run stopped'),
      })
      .describe('The last full run (pull + push of every synced group and customer)'),
    lastError: problemSchema.extend({ at: z.string() }).nullable().describe("The sync job's last error, until a run goes through without one"),
    lastSyncedAt: z.string().nullable().describe('When the sync job last went through without an error'),
  })
  .meta({ id: 'WecomTagSync' });
export type WecomTagSync = z.infer<typeof wecomTagSyncSchema>;
