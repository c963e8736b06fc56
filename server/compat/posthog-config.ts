/**
 * What posthog-js asks for at start-up, answered so it runs with its default
 * options and asks for nothing this engine does not serve: gzip and base64
 * bodies (both CORS-simple, so no preflight), no feature flags (so no /flags
 * call at start), no session recording, surveys, web vitals, exception or
 * dead-click capture (each would load a script from /static). Autocapture
 * stays on (`autocapture_opt_out` must be a boolean, or it never starts).
 */
export function postHogConfig(token: string) {
  return {
    token,
    supportedCompression: ["gzip-js", "base64"],
    hasFeatureFlags: false,
    autocapture_opt_out: false,
    elementsChainAsString: true,
    sessionRecording: false,
    capturePerformance: false,
    autocaptureExceptions: false,
    captureDeadClicks: false,
    heatmaps: false,
    siteApps: [],
  };
}

/** The same config as the script posthog-js loads first (`/array/{token}/config.js`). */
export function postHogConfigScript(token: string): string {
  const key = JSON.stringify(token);
  const config = JSON.stringify({ config: postHogConfig(token), siteApps: [] });
  return `(function(){var w=window;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};w._POSTHOG_REMOTE_CONFIG[${key}]=${config};})();\n`;
}

/** No flags: `/flags` (v2 for posthog-js, v4 for posthog-node). */
export function postHogFlags() {
  return { flags: {}, errorsWhileComputingFlags: false, quotaLimited: [] };
}

/** `/decide` for posthog-js versions before `/flags`. */
export function postHogDecide() {
  return {
    config: { enable_collect_everything: true },
    featureFlags: {},
    featureFlagPayloads: {},
    errorsWhileComputingFlags: false,
    supportedCompression: ["gzip-js", "base64"],
    autocapture_opt_out: false,
    sessionRecording: false,
    siteApps: [],
  };
}
