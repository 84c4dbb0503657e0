import * as tencent from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { xmlParserOptions } from './xml-tree.js';
import {
  decrypt,
  MAX_CALLBACK_BODY_BYTES,
  parseCallbackEnvelope,
  parseCallbackEvent,
  parseWecomXml,
  requireSignature,
  WecomCallbackError,
  type WecomRefusal,
} from './index.js';

const corpId = 'wx5823bf96d3bd56c7';
const encodingAESKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

function refusal(fn: () => unknown): WecomCallbackError & { reason: WecomRefusal } {
  try {
    fn();
  } catch (err) {
    if (err instanceof WecomCallbackError) return err;
    throw err;
  }
  throw new Error('expected a WecomCallbackError, got none');
}

const addContact = `<xml>
  <ToUserName><![CDATA[${corpId}]]></ToUserName>
  <FromUserName><![CDATA[sys]]></FromUserName>
  <CreateTime>1403610513</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[change_external_contact]]></Event>
  <ChangeType><![CDATA[add_external_contact]]></ChangeType>
  <UserID><![CDATA[zhangsan]]></UserID>
  <ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID>
  <State><![CDATA[试驾-0042]]></State>
  <WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`;

describe('parseCallbackEnvelope', () => {
  it('reads the POST body, and the whole chain verifies and decrypts an event made with Tencent\'s library', () => {
    const encrypted = tencent.encrypt(encodingAESKey, addContact, corpId);
    const [token, timestamp, nonce] = ['QDG6eK', '1409659813', '1372623149'];
    const msgSignature = tencent.getSignature(token, timestamp, nonce, encrypted);
    const body = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;

    const envelope = parseCallbackEnvelope(body);
    expect(envelope).toEqual({ ToUserName: corpId, Encrypt: encrypted, AgentID: '218' });
    expect(() => requireSignature(token, timestamp, nonce, envelope.Encrypt, msgSignature)).not.toThrow();
    const event = parseCallbackEvent(decrypt(encodingAESKey, envelope.Encrypt, corpId));
    expect(event).toEqual({
      kind: 'change_external_contact',
      fields: {
        ToUserName: corpId,
        FromUserName: 'sys',
        CreateTime: '1403610513',
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: 'zhangsan',
        ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA',
        State: '试驾-0042',
        WelcomeCode: 'WELCOMECODE',
      },
    });
  });

  it('accepts a body without AgentID and as bytes, and refuses one without Encrypt', () => {
    expect(parseCallbackEnvelope(Buffer.from('<xml><ToUserName>ww1</ToUserName><Encrypt>abc=</Encrypt></xml>'))).toEqual({ ToUserName: 'ww1', Encrypt: 'abc=' });
    const missing = refusal(() => parseCallbackEnvelope('<xml><ToUserName>ww1</ToUserName></xml>'));
    expect(missing).toMatchObject({ reason: 'malformed_xml', statusCode: 400 });
    expect(missing.message).toContain('Encrypt');
    expect(refusal(() => parseCallbackEnvelope('<xml><ToUserName>ww1</ToUserName><Encrypt></Encrypt></xml>')).reason).toBe('malformed_xml');
  });
});

describe('parseCallbackEvent', () => {
  it('reads change_external_chat with its member list, keeping numbers as strings', () => {
    const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime>
      <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId>
      <ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>1</JoinScene><QuitScene>0</QuitScene>
      <MemChangeCnt>2</MemChangeCnt><MemChangeList><Item>wmEJAAAA</Item><Item><![CDATA[zhangsan]]></Item></MemChangeList>
      <LastMemVer>9c3f997c819d9e3ae5d3fc4fe1b7a3e4</LastMemVer><CurMemVer>71217227bbd112ecfe3a49c482195cb4</CurMemVer></xml>`;
    expect(parseCallbackEvent(xml)).toEqual({
      kind: 'change_external_chat',
      fields: {
        ToUserName: corpId,
        FromUserName: 'sys',
        CreateTime: '1403610513',
        MsgType: 'event',
        Event: 'change_external_chat',
        ChatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        JoinScene: '1',
        QuitScene: '0',
        MemChangeCnt: '2',
        MemChangeList: ['wmEJAAAA', 'zhangsan'],
        LastMemVer: '9c3f997c819d9e3ae5d3fc4fe1b7a3e4',
        CurMemVer: '71217227bbd112ecfe3a49c482195cb4',
      },
    });
  });

  it('reads a one-member list as a list, an empty one as empty, and a dismiss without any', () => {
    const head = `<ToUserName>${corpId}</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_external_chat</Event><ChatId>c1</ChatId>`;
    const one = parseCallbackEvent(`<xml>${head}<ChangeType>update</ChangeType><MemChangeList><Item>u1</Item></MemChangeList></xml>`);
    expect(one.kind === 'change_external_chat' && one.fields.MemChangeList).toEqual(['u1']);
    const none = parseCallbackEvent(`<xml>${head}<ChangeType>update</ChangeType><MemChangeList/></xml>`);
    expect(none.kind === 'change_external_chat' && none.fields.MemChangeList).toEqual([]);
    const dismiss = parseCallbackEvent(`<xml>${head}<ChangeType>dismiss</ChangeType></xml>`);
    expect(dismiss).toEqual({ kind: 'change_external_chat', fields: { ToUserName: corpId, FromUserName: 'sys', CreateTime: '1', MsgType: 'event', Event: 'change_external_chat', ChatId: 'c1', ChangeType: 'dismiss' } });
  });

  it('reads change_external_tag, with and without a strategy', () => {
    const xml = (extra: string) =>
      `<xml><ToUserName>${corpId}</ToUserName><FromUserName>sys</FromUserName><CreateTime>1403610513</CreateTime><MsgType>event</MsgType><Event>change_external_tag</Event>${extra}</xml>`;
    expect(parseCallbackEvent(xml('<Id>etTAG</Id><TagType>tag</TagType><ChangeType>create</ChangeType><StrategyId>7</StrategyId>')).fields).toMatchObject({
      Id: 'etTAG',
      TagType: 'tag',
      ChangeType: 'create',
      StrategyId: '7',
    });
    const shuffle = parseCallbackEvent(xml('<Id></Id><ChangeType>shuffle</ChangeType>'));
    expect(shuffle).toMatchObject({ kind: 'change_external_tag', fields: { Id: '', ChangeType: 'shuffle' } });
    expect(shuffle.fields).not.toHaveProperty('TagType');
  });

  it('keeps empty elements as empty strings and decodes only XML\'s own references outside CDATA', () => {
    const xml = addContact
      .replace('<State><![CDATA[试驾-0042]]></State>', '<State>a&amp;b &lt;c&gt; &#35797;&#x9A7E;</State>')
      .replace('<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>', '<WelcomeCode><![CDATA[&amp; stays]]></WelcomeCode>')
      .replace('<UserID><![CDATA[zhangsan]]></UserID>', '<UserID/>');
    expect(parseCallbackEvent(xml).fields).toMatchObject({ State: 'a&b <c> 试驾', WelcomeCode: '&amp; stays', UserID: '' });
  });

  it('passes other events through unvalidated, as nested values', () => {
    const xml = `<xml><ToUserName>${corpId}</ToUserName><MsgType>event</MsgType><Event>batch_job_result</Event><BatchJob><JobId>J1</JobId><JobType>sync_user</JobType></BatchJob></xml>`;
    expect(parseCallbackEvent(xml)).toEqual({
      kind: 'other',
      fields: { ToUserName: corpId, MsgType: 'event', Event: 'batch_job_result', BatchJob: { JobId: 'J1', JobType: 'sync_user' } },
    });
  });

  it('refuses a known event missing a field or with a field of the wrong shape', () => {
    const noExternalUser = addContact.replace(/<ExternalUserID>.*<\/ExternalUserID>/, '');
    expect(refusal(() => parseCallbackEvent(noExternalUser)).message).toContain('ExternalUserID');
    const badTime = addContact.replace('<CreateTime>1403610513</CreateTime>', '<CreateTime>yesterday</CreateTime>');
    expect(refusal(() => parseCallbackEvent(badTime)).message).toContain('CreateTime');
    // Past JavaScript's last date: it would stop the whole batch it is processed in.
    const farTime = addContact.replace('<CreateTime>1403610513</CreateTime>', '<CreateTime>99999999999999999</CreateTime>');
    expect(refusal(() => parseCallbackEvent(farTime)).message).toContain('CreateTime');
    const twice = addContact.replace('<UserID><![CDATA[zhangsan]]></UserID>', '<UserID>a</UserID><UserID>b</UserID>');
    expect(refusal(() => parseCallbackEvent(twice)).details).toMatchObject({ reason: 'malformed_xml', issues: [{ path: 'UserID' }] });
    const nested = addContact.replace('<State><![CDATA[试驾-0042]]></State>', '<State><Inner>x</Inner></State>');
    expect(refusal(() => parseCallbackEvent(nested)).reason).toBe('malformed_xml');
  });
});

describe('refusals before and during parsing', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE xml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>&lol9;</ToUserName><Encrypt>abc=</Encrypt></xml>`;

  it('refuses an entity-expansion payload before parsing it', () => {
    const err = refusal(() => parseCallbackEnvelope(billionLaughs));
    expect(err).toMatchObject({ reason: 'forbidden_xml', code: 'malformed_request', statusCode: 400 });
    expect(err.message).not.toContain('lollol');
  });

  it('never expands entities even past that guard: the parser is configured without entity processing', () => {
    const parsed: unknown = new XMLParser(xmlParserOptions).parse(billionLaughs);
    expect(JSON.stringify(parsed)).not.toContain('lollol');
    // And an entity referenced without any declaration is refused, not looked up.
    expect(refusal(() => parseWecomXml('<xml><ToUserName>&lol9;</ToUserName></xml>')).reason).toBe('malformed_xml');
    expect(refusal(() => parseWecomXml('<xml><ToUserName>&#0;</ToUserName></xml>')).reason).toBe('malformed_xml');
  });

  it('refuses a DOCTYPE or ENTITY in any case, even without entities in use', () => {
    for (const xml of [
      '<!DOCTYPE xml><xml><Encrypt>a</Encrypt></xml>',
      '<!doctype xml SYSTEM "file:///etc/passwd"><xml><Encrypt>a</Encrypt></xml>',
      '<xml><Encrypt>a</Encrypt></xml><!Entity x "y">',
      '<?xml version="1.0"?>\n<!DocType xml [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]><xml><Encrypt>&xxe;</Encrypt></xml>',
    ]) {
      expect(refusal(() => parseCallbackEnvelope(xml)).reason).toBe('forbidden_xml');
    }
  });

  it('refuses a body over 64 KB with a 413, counting bytes not characters', () => {
    expect(MAX_CALLBACK_BODY_BYTES).toBe(65_536);
    const wrap = (encrypt: string) => `<xml><ToUserName>ww1</ToUserName><Encrypt>${encrypt}</Encrypt></xml>`;
    const fits = wrap('A'.repeat(MAX_CALLBACK_BODY_BYTES - wrap('').length));
    expect(Buffer.byteLength(fits)).toBe(MAX_CALLBACK_BODY_BYTES);
    expect(parseCallbackEnvelope(fits).Encrypt).toHaveLength(MAX_CALLBACK_BODY_BYTES - wrap('').length);
    const err = refusal(() => parseCallbackEnvelope(`${fits} `));
    expect(err).toMatchObject({ reason: 'too_large', code: 'payload_too_large', statusCode: 413, details: { limitBytes: 65_536 } });
    // 22,000 three-byte characters are 66,000 bytes.
    expect(refusal(() => parseWecomXml(`<xml><State>${'试'.repeat(22_000)}</State></xml>`)).reason).toBe('too_large');
    expect(refusal(() => parseWecomXml(Buffer.alloc(MAX_CALLBACK_BODY_BYTES + 1, 0x20))).reason).toBe('too_large');
  });

  it('refuses malformed XML', () => {
    const cases = [
      '',
      'not xml',
      '<xml><Encrypt>a</Encrypt>',
      '<xml><Encrypt>a</ToUserName></xml>',
      '<xml><Encrypt>a</Encrypt></xml><xml></xml>',
      '<xml><Encrypt>a & b</Encrypt></xml>',
      '<xml><Encrypt>a</Encrypt></xml>trailing',
      '<root><Encrypt>a</Encrypt></root>',
      '<xml>text<Encrypt>a</Encrypt></xml>',
      '<xml><Encrypt>x<![CDATA[y]]>z</Encrypt></xml>',
      '<xml><__proto__>a</__proto__></xml>',
      `<xml>${'<a>'.repeat(40)}x${'</a>'.repeat(40)}</xml>`,
      // NUL and other control characters XML does not allow (PostgreSQL cannot store NUL either).
      '<xml><Encrypt>a\u0000b</Encrypt></xml>',
      '<xml><Encrypt><![CDATA[a\u0001b]]></Encrypt></xml>',
    ];
    for (const xml of cases) {
      const err = refusal(() => parseCallbackEnvelope(xml));
      expect({ xml, reason: err.reason, status: err.statusCode }).toEqual({ xml, reason: 'malformed_xml', status: 400 });
    }
    expect(refusal(() => parseWecomXml(Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]))).reason).toBe('malformed_xml');
  });

  it('ignores attributes, comments and the XML declaration', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><!-- from WeCom --><xml id="1"><ToUserName type="x">ww1</ToUserName><Encrypt><!-- c --><![CDATA[abc=]]></Encrypt></xml>';
    expect(parseCallbackEnvelope(xml)).toEqual({ ToUserName: 'ww1', Encrypt: 'abc=' });
  });
});
