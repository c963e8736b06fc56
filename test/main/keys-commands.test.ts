import { describe, expect, it } from "vitest";
import { parseKeysCommand } from "../../main/keys/keys-commands.js";

describe("npm run keys arguments", () => {
  it("reads arguments, options with a value (both spellings) and flags", () => {
    expect(parseKeysCommand(["create-project", "Shop EU", "--origins", "https://a.example,https://b.example", "--retention-days=30", "--json"])).toEqual({
      name: "create-project",
      args: ["Shop EU"],
      options: { origins: "https://a.example,https://b.example", "retention-days": "30", json: true },
    });
    expect(parseKeysCommand(["update-project", "shop", "--no-origins"]).options).toEqual({ "no-origins": true });
  });

  it("refuses an unknown command or option, and an option without its value, before anything is opened", () => {
    expect(() => parseKeysCommand(["create-projct", "x"])).toThrow("create-projct is not a command");
    expect(() => parseKeysCommand(["create-project", "x", "--retention", "30"])).toThrow("--retention is not an option of create-project");
    expect(() => parseKeysCommand(["create-key", "shop", "--kind"])).toThrow("--kind needs a value");
    expect(() => parseKeysCommand([])).toThrow("command is missing");
  });
});
