import type { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { createWecomCall, type WecomCall, type WecomClientOptions } from './client-core.js';
import * as s from './client-schemas.js';

/**
 * WeCom's server API (企业微信服务端API) for one corp and app secret: the 客户联系 calls Siyu uses,
 * each with WeCom's documented snake_case request fields and a zod-checked answer. Tokens, retries,
 * back-off, rate limiting and errors are `call`'s (client-core.ts).
 */

/** A 客户联系 attachment (image, link, miniprogram, video or file) as WeCom documents it. */
export type WecomAttachment = { msgtype: 'image' | 'link' | 'miniprogram' | 'video' | 'file' } & Record<string, unknown>;

export interface ContactWayInput {
  /** 1 one member, 2 several members. */
  type: 1 | 2;
  /** 1 a mini-program button, 2 a QR code. */
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skip_verify?: boolean;
  /** Comes back in the add event's State; at most 30 characters. */
  state?: string;
  user?: string[];
  party?: number[];
  is_temp?: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  is_exclusive?: boolean;
}

export type ContactWayUpdate = { config_id: string } & Partial<Omit<ContactWayInput, 'type' | 'scene'>>;

export interface WelcomeMsgInput {
  welcome_code: string;
  text?: { content: string };
  attachments?: WecomAttachment[];
}

export interface MsgTemplateInput {
  chat_type?: 'single' | 'group';
  external_userid?: string[];
  sender?: string;
  allow_select?: boolean;
  text?: { content: string };
  attachments?: WecomAttachment[];
}

export interface TransferInput {
  handover_userid: string;
  takeover_userid: string;
  /** At most 100 a call. */
  external_userid: string[];
  transfer_success_msg?: string;
}

export interface TransferResultInput {
  handover_userid: string;
  takeover_userid: string;
  cursor?: string;
}

/** WeCom's documented cap on userid lists, transfer lists and batch pages. */
export const WECOM_BATCH_MAX = 100;
/** WeCom's cap on a contact way's state. */
export const WECOM_STATE_MAX = 30;

/** Checks a list's size before calling (the wrappers are async, so this rejects their promise). */
function checkAtMost(field: string, count: number, max: number): void {
  if (count > max) throw new AppError('invalid_request', `${field} takes at most ${max} entries per WeCom call, got ${count}: split it into batches`, { field, max });
}

export type WecomClient = ReturnType<typeof createWecomClient>;

export function createWecomClient(options: WecomClientOptions) {
  const { call, accessToken } = createWecomCall(options);
  const post = <S extends z.ZodType>(path: string, body: unknown, schema: S) => call('POST', path, body, schema);
  const checkState = (state: string | undefined) => {
    if (state !== undefined && state.length > WECOM_STATE_MAX) {
      throw new AppError('invalid_request', `a contact way's state takes at most ${WECOM_STATE_MAX} characters, got ${state.length}`, { field: 'state', max: WECOM_STATE_MAX });
    }
  };
  return {
    call: call satisfies WecomCall,
    /** The current access token (cached; fetched when needed). */
    accessToken,
    /** 获取客户详情: the customer and every member who has them as a friend. */
    getExternalContact: (externalUserid: string, cursor?: string) =>
      call('GET', 'externalcontact/get', { external_userid: externalUserid, cursor }, s.getExternalContactSchema),
    /** 批量获取客户详情 of up to 100 members, a page (limit ≤ 100) at a time. */
    batchGetByUser: async (input: { userid_list: string[]; cursor?: string; limit?: number }) => {
      checkAtMost('userid_list', input.userid_list.length, WECOM_BATCH_MAX);
      if (input.limit !== undefined) checkAtMost('limit', input.limit, WECOM_BATCH_MAX);
      return post('externalcontact/batch/get_by_user', input, s.batchGetByUserSchema);
    },
    /** 配置客户联系「联系我」方式: answers config_id and, for a QR code, its URL. */
    addContactWay: async (input: ContactWayInput) => {
      checkState(input.state);
      return post('externalcontact/add_contact_way', input, s.addContactWaySchema);
    },
    updateContactWay: async (input: ContactWayUpdate) => {
      checkState(input.state);
      return post('externalcontact/update_contact_way', input, s.wecomOkSchema);
    },
    delContactWay: (configId: string) => post('externalcontact/del_contact_way', { config_id: configId }, s.wecomOkSchema),
    /** 发送新客户欢迎语: once per welcome code, within 20 s of the add event (41051 otherwise). */
    sendWelcomeMsg: (input: WelcomeMsgInput) => post('externalcontact/send_welcome_msg', input, s.wecomOkSchema),
    getCorpTagList: (filter: { tag_id?: string[]; group_id?: string[] } = {}) => post('externalcontact/get_corp_tag_list', filter, s.getCorpTagListSchema),
    /** Adds tags to the group `group_id`, or to the group named `group_name` (created when missing). */
    addCorpTag: (input: { group_id?: string; group_name?: string; order?: number; tag: { name: string; order?: number }[]; agentid?: number }) =>
      post('externalcontact/add_corp_tag', input, s.addCorpTagSchema),
    /** Renames or reorders a tag or a tag group (`id` is either). */
    editCorpTag: (input: { id: string; name?: string; order?: number; agentid?: number }) => post('externalcontact/edit_corp_tag', input, s.wecomOkSchema),
    delCorpTag: (input: { tag_id?: string[]; group_id?: string[]; agentid?: number }) => post('externalcontact/del_corp_tag', input, s.wecomOkSchema),
    /** 编辑客户企业标签: the tags a member has put on a customer. */
    markTag: (input: { userid: string; external_userid: string; add_tag?: string[]; remove_tag?: string[] }) =>
      post('externalcontact/mark_tag', input, s.wecomOkSchema),
    /** 创建企业群发: answers the msgid and the customers it cannot reach. */
    addMsgTemplate: (input: MsgTemplateInput) => post('externalcontact/add_msg_template', input, s.addMsgTemplateSchema),
    getGroupmsgSendResult: (input: { msgid: string; userid: string; limit?: number; cursor?: string }) =>
      post('externalcontact/get_groupmsg_send_result', input, s.groupmsgSendResultSchema),
    /** 分配在职成员的客户 (at most 100 a call). */
    transferCustomer: async (input: TransferInput) => {
      checkAtMost('external_userid', input.external_userid.length, WECOM_BATCH_MAX);
      return post('externalcontact/transfer_customer', input, s.transferCustomerSchema);
    },
    transferResult: (input: TransferResultInput) => post('externalcontact/transfer_result', input, s.transferResultSchema),
    /** 分配离职成员的客户 (at most 100 a call). */
    resignedTransferCustomer: async (input: Omit<TransferInput, 'transfer_success_msg'>) => {
      checkAtMost('external_userid', input.external_userid.length, WECOM_BATCH_MAX);
      return post('externalcontact/resigned/transfer_customer', input, s.transferCustomerSchema);
    },
    resignedTransferResult: (input: TransferResultInput) => post('externalcontact/resigned/transfer_result', input, s.transferResultSchema),
    groupchatList: (input: { status_filter?: number; owner_filter?: { userid_list: string[] }; cursor?: string; limit: number }) =>
      post('externalcontact/groupchat/list', input, s.groupchatListSchema),
    groupchatGet: (chatId: string, needName = true) => post('externalcontact/groupchat/get', { chat_id: chatId, need_name: needName ? 1 : 0 }, s.groupchatGetSchema),
    /** The app's jsapi_ticket for wx.agentConfig (获取应用的jsapi_ticket). */
    getAgentJsapiTicket: () => call('GET', 'ticket/get', { type: 'agent_config' }, s.jsapiTicketSchema),
    /** Who opened a page of the app (获取访问用户身份): the `code` of the web sign-in's redirect, single use. */
    getUserInfoByCode: (code: string) => call('GET', 'auth/getuserinfo', { code }, s.authUserInfoSchema),
  };
}
