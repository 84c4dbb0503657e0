import { z } from 'zod';

/**
 * The answers of the WeCom server APIs the client calls, with WeCom's documented (snake_case) field
 * names. Unknown fields pass through: WeCom adds fields over time.
 */

const ok = { errcode: z.literal(0), errmsg: z.string() };

/** An answer with nothing but errcode and errmsg (edits, deletes, sends). */
export const wecomOkSchema = z.looseObject(ok);

export const externalContactSchema = z.looseObject({
  external_userid: z.string(),
  name: z.string(),
  /** 1 a WeChat user, 2 a WeCom user. */
  type: z.number().int(),
  /** 0 unknown, 1 male, 2 female. */
  gender: z.number().int(),
  unionid: z.string().optional(),
  avatar: z.string().optional(),
  position: z.string().optional(),
  corp_name: z.string().optional(),
  corp_full_name: z.string().optional(),
});

const followTagSchema = z.looseObject({ group_name: z.string().optional(), tag_name: z.string().optional(), tag_id: z.string().optional(), type: z.number().int() });

const followCommon = {
  userid: z.string(),
  remark: z.string().default(''),
  description: z.string().default(''),
  createtime: z.number().int(),
  remark_corp_name: z.string().optional(),
  remark_mobiles: z.array(z.string()).default([]),
  oper_userid: z.string().optional(),
  add_way: z.number().int(),
  state: z.string().optional(),
};

export const followUserSchema = z.looseObject({ ...followCommon, tags: z.array(followTagSchema).default([]) });

export const getExternalContactSchema = z.looseObject({
  ...ok,
  external_contact: externalContactSchema,
  follow_user: z.array(followUserSchema).default([]),
  next_cursor: z.string().optional(),
});

export const batchGetByUserSchema = z.looseObject({
  ...ok,
  external_contact_list: z
    .array(z.looseObject({ external_contact: externalContactSchema, follow_info: z.looseObject({ ...followCommon, tag_id: z.array(z.string()).default([]) }) }))
    .default([]),
  next_cursor: z.string().default(''),
});

export const addContactWaySchema = z.looseObject({ ...ok, config_id: z.string(), qr_code: z.string().optional() });

const corpTagSchema = z.looseObject({ id: z.string(), name: z.string(), create_time: z.number().int(), order: z.number().int(), deleted: z.boolean().optional() });
export const corpTagGroupSchema = z.looseObject({
  group_id: z.string(),
  group_name: z.string(),
  create_time: z.number().int(),
  order: z.number().int(),
  deleted: z.boolean().optional(),
  tag: z.array(corpTagSchema).default([]),
});

export const getCorpTagListSchema = z.looseObject({ ...ok, tag_group: z.array(corpTagGroupSchema).default([]) });
export const addCorpTagSchema = z.looseObject({ ...ok, tag_group: corpTagGroupSchema });

export const addMsgTemplateSchema = z.looseObject({ ...ok, fail_list: z.array(z.string()).default([]), msgid: z.string() });

export const groupmsgSendResultSchema = z.looseObject({
  ...ok,
  send_list: z
    .array(
      z.looseObject({
        external_userid: z.string().optional(),
        chat_id: z.string().optional(),
        userid: z.string(),
        /** 0 not sent, 1 sent, 2 not a friend (any more), 3 the customer already got another mass message. */
        status: z.number().int(),
        send_time: z.number().int().optional(),
      }),
    )
    .default([]),
  next_cursor: z.string().optional(),
});

export const transferCustomerSchema = z.looseObject({
  ...ok,
  customer: z.array(z.looseObject({ external_userid: z.string(), errcode: z.number().int() })).default([]),
});

export const transferResultSchema = z.looseObject({
  ...ok,
  customer: z
    .array(
      z.looseObject({
        external_userid: z.string(),
        /** 1 taken over, 2 waiting, 3 the customer refused, 4 the taker's customer limit, 5 no such transfer. */
        status: z.number().int(),
        takeover_time: z.number().int().optional(),
      }),
    )
    .default([]),
  next_cursor: z.string().optional(),
});

export const groupchatListSchema = z.looseObject({
  ...ok,
  group_chat_list: z.array(z.looseObject({ chat_id: z.string(), status: z.number().int() })).default([]),
  next_cursor: z.string().optional(),
});

export const groupchatGetSchema = z.looseObject({
  ...ok,
  group_chat: z.looseObject({
    chat_id: z.string(),
    name: z.string().default(''),
    owner: z.string(),
    create_time: z.number().int(),
    notice: z.string().optional(),
    member_list: z
      .array(
        z.looseObject({
          userid: z.string(),
          /** 1 a member of the corp, 2 an external contact. */
          type: z.number().int(),
          unionid: z.string().optional(),
          join_time: z.number().int(),
          join_scene: z.number().int(),
          invitor: z.looseObject({ userid: z.string() }).optional(),
          group_nickname: z.string().optional(),
          name: z.string().optional(),
        }),
      )
      .default([]),
    admin_list: z.array(z.looseObject({ userid: z.string() })).default([]),
  }),
});

export const jsapiTicketSchema = z.looseObject({ ...ok, ticket: z.string(), expires_in: z.number().int() });

/**
 * 获取访问用户身份 (auth/getuserinfo): a member of the corp comes back as `userid` (with a
 * `user_ticket` for the snsapi_privateinfo scope), anyone else as `openid` (and an `external_userid`
 * when they are a customer of the corp).
 */
export const authUserInfoSchema = z.looseObject({
  ...ok,
  userid: z.string().min(1).optional(),
  user_ticket: z.string().optional(),
  openid: z.string().optional(),
  external_userid: z.string().optional(),
});

export type WecomAuthUserInfo = z.output<typeof authUserInfoSchema>;
export type WecomExternalContact = z.output<typeof getExternalContactSchema>;
export type WecomBatchContacts = z.output<typeof batchGetByUserSchema>;
export type WecomCorpTagGroup = z.output<typeof corpTagGroupSchema>;
export type WecomGroupmsgSendResult = z.output<typeof groupmsgSendResultSchema>;
export type WecomTransferResult = z.output<typeof transferResultSchema>;
export type WecomGroupChat = z.output<typeof groupchatGetSchema>['group_chat'];
