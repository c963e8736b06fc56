// A backend service capturing events with the Node client.
//   cd sdk && npm run build && INSIGHTPLUS_HOST=http://localhost:7002 INSIGHTPLUS_WRITE_KEY=ipw_… npx tsx examples/node-example.ts
import { init } from "@insightplus/sdk/node";

const analytics = init({
  host: process.env.INSIGHTPLUS_HOST ?? "http://localhost:7002",
  apiKey: process.env.INSIGHTPLUS_WRITE_KEY, // the project's write key (ipw_…)
  properties: { service: "billing" }, // sent with every event
  onDrop: (events, info) => console.warn(`insightplus dropped ${events.length} event(s): ${info.reason} ${info.message}`),
  onError: (error) => {
    if (error.retryInMs === undefined) console.warn(`insightplus: ${error.message}`);
  },
});

// Server-side code usually captures for many users: pass distinctId per call.
analytics.capture("user_registered", { plan: "free", referral: "instagram" }, { distinctId: "user_123" });
analytics.capture("payment_success", { amount: 499, currency: "INR" }, { distinctId: "user_123" });
analytics.capture("most_used_feature", { feature: "dashboard", duration: 45 }, { distinctId: "user_52" });

// Not required (the client flushes on beforeExit), but explicit in servers and serverless handlers:
const { pending, timedOut } = await analytics.shutdown({ timeoutMs: 3000 });
console.log(timedOut ? `gave up with ${pending} event(s) unsent (reported via onDrop)` : "all events delivered");
