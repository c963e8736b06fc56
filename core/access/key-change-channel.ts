/**
 * Tells every server process that projects or keys changed (a key revoked, a
 * project's origins edited), so each reloads them at once instead of at its
 * next periodic refresh. Redis pub/sub where Redis is; nothing in one process.
 */
export interface KeyChangeChannel {
  /** Never rejects: the change is stored already, and servers reread periodically. */
  announce(): Promise<void>;
  /** Calls `onChange` for every announcement (this process's own included) until closed. */
  listen(onChange: () => void): Promise<{ close(): Promise<void> }>;
}

export const noKeyChangeChannel: KeyChangeChannel = {
  announce: async () => undefined,
  listen: async () => ({ close: async () => undefined }),
};
