import type { LifecycleHandlers, Network } from "../core/platform.js";

/** navigator.onLine and its events: pause sending while offline, flush when back. */
export const browserNetwork: Network = {
  online: () => navigator.onLine !== false,
  subscribe(onChange) {
    const on = () => onChange(true);
    const off = () => onChange(false);
    addEventListener("online", on);
    addEventListener("offline", off);
    return () => {
      removeEventListener("online", on);
      removeEventListener("offline", off);
    };
  },
};

/**
 * pagehide is the last event a page reliably gets (unload is not fired on
 * mobile and breaks the back/forward cache); visibilitychange=hidden is the
 * last one on mobile when the app is switched away and later killed.
 */
export const browserLifecycle = {
  subscribe(h: LifecycleHandlers) {
    const visibility = () => (document.visibilityState === "hidden" ? h.hide(false) : h.show(false));
    const pagehide = () => h.hide(true);
    const pageshow = (e: PageTransitionEvent) => e.persisted && h.show(true);
    document.addEventListener("visibilitychange", visibility);
    addEventListener("pagehide", pagehide);
    addEventListener("pageshow", pageshow);
    return () => {
      document.removeEventListener("visibilitychange", visibility);
      removeEventListener("pagehide", pagehide);
      removeEventListener("pageshow", pageshow);
    };
  },
};
