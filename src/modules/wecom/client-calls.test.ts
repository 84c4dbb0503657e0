import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '../../testing/fakes/wecom.js';
import { clearWecomTokenCache, createWecomClient, resetWecomRateLimits, type WecomClient } from './index.js';
import { appErrorOf } from '../../testing/errors.js';

const CORP_ID = 'ww0123456789abcdef';
const SECRET = 'app-secret';

describe("the WeCom client's calls: paths, bodies and parsed answers against the fake WeCom", () => {
  let fake: FakeWecom;
  let wecom: WecomClient;
  let time: number;
  const now = () => time;
  const last = (path: string) => fake.requests.filter((r) => r.path === `/cgi-bin/${path}`).at(-1);

  beforeEach(async () => {
    time = Date.parse('2026-03-01T08:00:00Z');
    clearWecomTokenCache();
    resetWecomRateLimits();
    fake = await startFakeWecom({ corpId: CORP_ID, secrets: [SECRET], now });
    wecom = createWecomClient({ corpId: CORP_ID, secret: SECRET, apiBaseUrl: fake.url, now, sleep: async () => {} });
    fake.addExternalContact({
      external_userid: 'wmA',
      name: '李雷',
      gender: 1,
      unionid: 'ozA',
      follow_user: [{ userid: 'zhangsan', remark: '李先生', createtime: 1_700_000_000, state: 'c-spring', add_way: 1, remark_mobiles: ['13800138000'] }],
    });
    fake.addExternalContact({ external_userid: 'wmB', name: '韩梅梅', gender: 2, follow_user: [{ userid: 'zhangsan' }, { userid: 'lisi' }] });
  });
  afterEach(() => fake.close());

  it('externalcontact/get: the customer and the members who follow them', async () => {
    const answer = await wecom.getExternalContact('wmA');
    expect(last('externalcontact/get')?.query).toMatchObject({ external_userid: 'wmA' });
    expect(answer.external_contact).toEqual({ external_userid: 'wmA', name: '李雷', type: 1, gender: 1, unionid: 'ozA' });
    expect(answer.follow_user).toEqual([
      { userid: 'zhangsan', remark: '李先生', description: '', createtime: 1_700_000_000, tags: [], remark_mobiles: ['13800138000'], add_way: 1, state: 'c-spring', oper_userid: 'zhangsan' },
    ]);
  });

  it('batch/get_by_user: pages with cursor and limit; more than 100 is refused before calling', async () => {
    const first = await wecom.batchGetByUser({ userid_list: ['zhangsan', 'lisi'], limit: 2 });
    expect(last('externalcontact/batch/get_by_user')?.body).toEqual({ userid_list: ['zhangsan', 'lisi'], limit: 2 });
    expect(first.external_contact_list.map((c) => [c.external_contact.external_userid, c.follow_info.userid])).toEqual([
      ['wmA', 'zhangsan'],
      ['wmB', 'zhangsan'],
    ]);
    expect(first.next_cursor).not.toBe('');
    const second = await wecom.batchGetByUser({ userid_list: ['zhangsan', 'lisi'], limit: 2, cursor: first.next_cursor });
    expect(second.external_contact_list.map((c) => c.follow_info.userid)).toEqual(['lisi']);
    expect(second.next_cursor).toBe('');
    const count = fake.requests.length;
    await expect(wecom.batchGetByUser({ userid_list: ['zhangsan'], limit: 101 })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(fake.requests).toHaveLength(count);
  });

  it('contact ways: add answers config_id and qr_code; update and del; a state over 30 characters is refused', async () => {
    const way = await wecom.addContactWay({ type: 1, scene: 2, state: 'c-spring-bj01', user: ['zhangsan'], skip_verify: true });
    expect(last('externalcontact/add_contact_way')?.body).toEqual({ type: 1, scene: 2, state: 'c-spring-bj01', user: ['zhangsan'], skip_verify: true });
    expect(way.config_id).toMatch(/^[0-9a-f]{32}$/);
    expect(way.qr_code).toBe(`${fake.url}/fake-qr/${way.config_id}.png`);
    await wecom.updateContactWay({ config_id: way.config_id, state: 'c-summer', user: ['lisi'] });
    expect(fake.state.contactWays.get(way.config_id)).toMatchObject({ state: 'c-summer', user: ['lisi'] });
    await expect(wecom.addContactWay({ type: 1, scene: 2, state: 'x'.repeat(31), user: ['zhangsan'] })).rejects.toMatchObject({ code: 'invalid_request' });
    await wecom.delContactWay(way.config_id);
    expect(fake.state.contactWays.size).toBe(0);
    await expect(wecom.delContactWay(way.config_id)).rejects.toMatchObject({ code: 'invalid_request', details: { wecomErrcode: 40058 } });
  });

  it('send_welcome_msg: sent once; the same code again is 41051, recorded as conflict and not retried', async () => {
    const code = fake.issueWelcomeCode('zhangsan', 'wmA');
    const body = { welcome_code: code, text: { content: '李先生您好，我是您的专属顾问张三' } };
    expect(await wecom.sendWelcomeMsg(body)).toMatchObject({ errcode: 0 });
    expect(last('externalcontact/send_welcome_msg')?.body).toEqual(body);
    const again = await appErrorOf(wecom.sendWelcomeMsg(body));
    expect(again).toMatchObject({ code: 'conflict', message: expect.stringContaining('already used or has expired'), details: { wecomErrcode: 41051 } });
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/externalcontact/send_welcome_msg')).toHaveLength(2);

    const late = fake.issueWelcomeCode('zhangsan', 'wmB');
    time += 21_000;
    await expect(wecom.sendWelcomeMsg({ welcome_code: late, text: { content: 'hi' } })).rejects.toMatchObject({ details: { wecomErrcode: 41051 } });
  });

  it('corp tags and mark_tag: add, list, edit, mark on a customer, unmark, delete', async () => {
    const added = await wecom.addCorpTag({ group_name: '意向车型', tag: [{ name: 'SUV' }, { name: '轿车' }] });
    expect(last('externalcontact/add_corp_tag')?.body).toEqual({ group_name: '意向车型', tag: [{ name: 'SUV' }, { name: '轿车' }] });
    expect(added.tag_group).toMatchObject({ group_name: '意向车型', tag: [{ name: 'SUV' }, { name: '轿车' }] });
    const [suv, sedan] = added.tag_group.tag.map((t) => t.id);
    if (!suv || !sedan) throw new Error('no tag ids');
    await wecom.editCorpTag({ id: sedan, name: '三厢轿车' });
    const list = await wecom.getCorpTagList();
    expect(list.tag_group.map((g) => [g.group_name, g.tag.map((t) => t.name)])).toEqual([['意向车型', ['SUV', '三厢轿车']]]);

    await wecom.markTag({ userid: 'zhangsan', external_userid: 'wmA', add_tag: [suv, sedan] });
    expect(last('externalcontact/mark_tag')?.body).toEqual({ userid: 'zhangsan', external_userid: 'wmA', add_tag: [suv, sedan] });
    await wecom.markTag({ userid: 'zhangsan', external_userid: 'wmA', remove_tag: [sedan] });
    expect((await wecom.getExternalContact('wmA')).follow_user[0]?.tags).toEqual([{ group_name: '意向车型', tag_name: 'SUV', tag_id: suv, type: 1 }]);
    await expect(wecom.markTag({ userid: 'lisi', external_userid: 'wmA', add_tag: [suv] })).rejects.toMatchObject({ code: 'not_found', details: { wecomErrcode: 84061 } });

    await wecom.delCorpTag({ tag_id: [suv, sedan] });
    expect((await wecom.getCorpTagList()).tag_group).toEqual([]);
  });

  it('add_msg_template and get_groupmsg_send_result: msgid, fail_list, status once the member sends', async () => {
    const sent = await wecom.addMsgTemplate({ chat_type: 'single', sender: 'lisi', external_userid: ['wmA', 'wmB'], text: { content: '春季保养节' } });
    expect(last('externalcontact/add_msg_template')?.body).toEqual({ chat_type: 'single', sender: 'lisi', external_userid: ['wmA', 'wmB'], text: { content: '春季保养节' } });
    expect(sent.fail_list).toEqual(['wmA']);
    const before = await wecom.getGroupmsgSendResult({ msgid: sent.msgid, userid: 'lisi' });
    expect(before.send_list).toEqual([{ external_userid: 'wmB', userid: 'lisi', status: 0 }]);
    fake.confirmMsgTemplate(sent.msgid, 'lisi');
    const after = await wecom.getGroupmsgSendResult({ msgid: sent.msgid, userid: 'lisi' });
    expect(after.send_list).toEqual([{ external_userid: 'wmB', userid: 'lisi', status: 1, send_time: Math.floor(time / 1000) }]);
  });

  it('transfer_customer and transfer_result, on the job and resigned', async () => {
    const moved = await wecom.transferCustomer({ handover_userid: 'zhangsan', takeover_userid: 'lisi', external_userid: ['wmA', 'wmZ'], transfer_success_msg: '您好，我是新顾问' });
    expect(last('externalcontact/transfer_customer')?.body).toMatchObject({ handover_userid: 'zhangsan', takeover_userid: 'lisi', external_userid: ['wmA', 'wmZ'] });
    expect(moved.customer).toEqual([
      { external_userid: 'wmA', errcode: 0 },
      { external_userid: 'wmZ', errcode: 84061 },
    ]);
    expect((await wecom.transferResult({ handover_userid: 'zhangsan', takeover_userid: 'lisi' })).customer).toEqual([{ external_userid: 'wmA', status: 2 }]);
    fake.settleTransfers();
    expect((await wecom.transferResult({ handover_userid: 'zhangsan', takeover_userid: 'lisi' })).customer).toEqual([
      { external_userid: 'wmA', status: 1, takeover_time: Math.floor(time / 1000) },
    ]);
    expect((await wecom.getExternalContact('wmA')).follow_user.map((f) => [f.userid, f.remark])).toEqual([['lisi', '李先生']]);

    await wecom.resignedTransferCustomer({ handover_userid: 'lisi', takeover_userid: 'zhangsan', external_userid: ['wmB'] });
    expect(last('externalcontact/resigned/transfer_customer')?.body).toEqual({ handover_userid: 'lisi', takeover_userid: 'zhangsan', external_userid: ['wmB'] });
    fake.settleTransfers(['wmB']);
    expect((await wecom.resignedTransferResult({ handover_userid: 'lisi', takeover_userid: 'zhangsan' })).customer).toEqual([{ external_userid: 'wmB', status: 3 }]);
    await expect(wecom.transferCustomer({ handover_userid: 'zhangsan', takeover_userid: 'lisi', external_userid: Array(101).fill('wmA') })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('groupchat/list and groupchat/get', async () => {
    const chat = fake.addGroupChat({
      name: '北京店车主群',
      owner: 'zhangsan',
      create_time: 1_700_000_100,
      member_list: [
        { userid: 'zhangsan', type: 1, join_time: 1_700_000_100, join_scene: 1 },
        { userid: 'wmA', type: 2, unionid: 'ozA', join_time: 1_700_000_200, join_scene: 3, invitor: { userid: 'zhangsan' }, name: '李雷' },
      ],
    });
    fake.addGroupChat({ name: '别人的群', owner: 'lisi', create_time: 1, member_list: [] });
    const list = await wecom.groupchatList({ owner_filter: { userid_list: ['zhangsan'] }, limit: 10 });
    expect(last('externalcontact/groupchat/list')?.body).toEqual({ owner_filter: { userid_list: ['zhangsan'] }, limit: 10 });
    expect(list.group_chat_list).toEqual([{ chat_id: chat.chat_id, status: 0 }]);
    const got = await wecom.groupchatGet(chat.chat_id);
    expect(last('externalcontact/groupchat/get')?.body).toEqual({ chat_id: chat.chat_id, need_name: 1 });
    expect(got.group_chat).toMatchObject({ chat_id: chat.chat_id, name: '北京店车主群', owner: 'zhangsan', admin_list: [] });
    expect(got.group_chat.member_list[1]).toEqual({ userid: 'wmA', type: 2, unionid: 'ozA', join_time: 1_700_000_200, join_scene: 3, invitor: { userid: 'zhangsan' }, name: '李雷' });
  });

  it("get_jsapi_ticket: the app's ticket for wx.agentConfig", async () => {
    const ticket = await wecom.getAgentJsapiTicket();
    expect(last('ticket/get')?.query).toMatchObject({ type: 'agent_config' });
    expect(ticket).toMatchObject({ ticket: fake.jsapiTicket(), expires_in: 7200 });
  });
});
