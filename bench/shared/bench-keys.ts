/** The keys the engines a bench starts know (as their configuration: API_KEY, READ_API_KEY), and send as a client would. */
export const benchWriteKey = "ipw_bench-write-key-of-the-default-project";
export const benchReadKey = "ipr_bench-read-key-of-the-default-project";
export const benchKeyEnv = { API_KEY: benchWriteKey, READ_API_KEY: benchReadKey };
export const benchKeyHeaders = { authorization: `Bearer ${benchWriteKey}` };
export const benchReadHeaders = { authorization: `Bearer ${benchReadKey}` };
