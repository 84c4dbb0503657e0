import { App } from 'antd';
import { useMemo } from 'react';

/** The text of a failed action: the API's own message (ApiError is an Error) or the thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Toasts for the outcome of an action: success in the page's words, failure in the API's. */
export function useNotify() {
  const { message } = App.useApp();
  return useMemo(
    () => ({
      success: (text: string) => void message.success(text),
      error: (error: unknown) => void message.error(errorText(error)),
    }),
    [message],
  );
}
