// Versioned keys: a later SDK with another layout picks a new version and
// can migrate or ignore these, never misread them.
const v = "insightplus:v1:";

export const keys = {
  identity: `${v}identity`,
  queuePrefix: `${v}queue:`,
  queue: (tabId: string) => `${v}queue:${tabId}`,
  beatPrefix: `${v}beat:`,
  beat: (tabId: string) => `${v}beat:${tabId}`,
  tabLock: (tabId: string) => `${v}tab:${tabId}`,
  tabLockPrefix: `${v}tab:`,
  adoptLock: `${v}adopt`,
  lease: `${v}lease`,
};
