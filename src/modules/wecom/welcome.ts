import type { WecomWelcome } from '../../contracts/wecom-codes.js';
import type { WecomAttachment, WelcomeMsgInput } from './client.js';

/** What a welcome text may name about the new friend and their consultant. */
export interface WelcomeContext {
  name: string | null;
  consultant: string | null;
  series: string | null;
}

const PLACEHOLDER = /\{(name|consultant|series)\}/g;

/** The template with {name}, {consultant} and {series} filled in; an unknown value becomes empty. */
export function renderWelcomeText(template: string, ctx: WelcomeContext): string {
  return template.replace(PLACEHOLDER, (_, key: keyof WelcomeContext) => ctx[key] ?? '');
}

function attachmentOf(welcome: WecomWelcome): WecomAttachment[] {
  const a = welcome.attachment;
  if (!a) return [];
  if (a.type === 'link') return [{ msgtype: 'link', link: { title: a.title, url: a.url, ...(a.desc ? { desc: a.desc } : {}), ...(a.picUrl ? { picurl: a.picUrl } : {}) } }];
  return [{ msgtype: 'miniprogram', miniprogram: { title: a.title, appid: a.appId, page: a.page, pic_media_id: a.picMediaId } }];
}

/** The body of send_welcome_msg for a welcome code, as WeCom documents it. */
export function welcomeMessage(welcomeCode: string, welcome: WecomWelcome, ctx: WelcomeContext): WelcomeMsgInput {
  const attachments = attachmentOf(welcome);
  return {
    welcome_code: welcomeCode,
    ...(welcome.text ? { text: { content: renderWelcomeText(welcome.text, ctx) } } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
  };
}

/** A welcome message to send after the transaction commits. */
export interface PendingWelcome {
  welcomeCode: string;
  welcome: WecomWelcome;
  customerName: string | null;
  consultantName: string | null;
  series: string | null;
}
