/** Every query about the sidebar's customer starts with this key: the quick actions invalidate it. */
export const SIDEBAR_KEY = 'wecom-sidebar';
