/**
 * A setting that cannot be used, found while reading the configuration or
 * while opening what it points at (queue, database, data directory).
 * `variable` names the setting to fix; entry points print it and exit 2.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}
