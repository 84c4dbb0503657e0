import type { z } from 'zod';
import type { WecomWelcome, wecomWelcomeSchema } from '@contracts/wecom-codes';

/** The welcome message as the form holds it: flat fields, one attachment kind at a time. */
export interface WelcomeFormValues {
  text?: string;
  attachmentType: 'none' | 'link' | 'miniprogram';
  title?: string;
  url?: string;
  desc?: string;
  picUrl?: string;
  appId?: string;
  page?: string;
  picMediaId?: string;
}

export type WelcomeInput = z.input<typeof wecomWelcomeSchema>;

const blankToUndefined = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

export function welcomeToForm(w: WecomWelcome | null | undefined): WelcomeFormValues {
  const a = w?.attachment;
  if (!a) return { text: w?.text, attachmentType: 'none' };
  if (a.type === 'link') return { text: w.text, attachmentType: 'link', title: a.title, url: a.url, desc: a.desc, picUrl: a.picUrl };
  return { text: w.text, attachmentType: 'miniprogram', title: a.title, appId: a.appId, page: a.page, picMediaId: a.picMediaId };
}

/** The contract's welcome input from the form, or undefined when neither a text nor an attachment is given. */
export function welcomeFromForm(v: WelcomeFormValues | undefined): WelcomeInput | undefined {
  if (!v) return undefined;
  const text = blankToUndefined(v.text);
  let attachment: WelcomeInput['attachment'];
  if (v.attachmentType === 'link') {
    attachment = { type: 'link', title: v.title ?? '', url: v.url ?? '', desc: blankToUndefined(v.desc), picUrl: blankToUndefined(v.picUrl) };
  } else if (v.attachmentType === 'miniprogram') {
    attachment = { type: 'miniprogram', title: v.title ?? '', appId: v.appId ?? '', page: v.page ?? '', picMediaId: v.picMediaId ?? '' };
  }
  if (text === undefined && attachment === undefined) return undefined;
  return { text, attachment };
}

/** Zod's issues as one line each, with the field path, for an Alert under the form. */
export function issuesText(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
}
