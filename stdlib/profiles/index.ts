// Device profiles: the shipped ones by name, or profile files (`mema profile` output, or a device profile JSON).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DEVICE_PROFILES } from "../names.ts";
import { builtinProfile, isBuiltinProfile } from "./builtin.ts";
import { type DeviceProfile, fromMeasuredProfiles, type MeasuredLayerProfile, parseProfile, ProfileError } from "./device-profile.ts";

export * from "./device-profile.ts";
export { builtinProfile, isBuiltinProfile } from "./builtin.ts";

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ProfileError(`${path}: cannot read the profile (${(error as { code?: string }).code ?? (error as Error).message})`, "E_PROFILE_FILE");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around the error, newlines included: keep the message on one line.
    throw new ProfileError(`${path}: not valid JSON (${(error as Error).message.replace(/\s+/g, " ")})`, "E_PROFILE_FILE");
  }
}

/**
 * A device profile by built-in name (`rpi4`) or path: a device profile JSON, one `mema profile` output, or a
 * directory of `mema profile` outputs (one network per file, e.g. the cache's `profiles/` folder).
 */
export function loadDeviceProfile(nameOrPath: string): DeviceProfile {
  if (isBuiltinProfile(nameOrPath)) return builtinProfile(nameOrPath);
  let stats;
  try {
    stats = statSync(nameOrPath);
  } catch {
    throw new ProfileError(
      `unknown device profile '${nameOrPath}': not a built-in profile (${DEVICE_PROFILES.join(", ")}) and no such file or directory`,
      "E_PROFILE_NAME",
    );
  }
  if (!stats.isDirectory()) return parseProfile(readJson(nameOrPath), nameOrPath);
  const measured: MeasuredLayerProfile[] = [];
  for (const file of readdirSync(nameOrPath).filter((f) => f.endsWith(".json")).sort()) {
    const path = join(nameOrPath, file);
    const value = readJson(path) as { format?: string };
    if (value?.format !== "mema-layer-profile/1") continue;
    parseProfile(value, path);
    measured.push(value as MeasuredLayerProfile);
  }
  if (measured.length === 0) throw new ProfileError(`${nameOrPath}: no mema profile outputs (*.json, format mema-layer-profile/1) in this directory`, "E_PROFILE_FILE");
  return fromMeasuredProfiles(nameOrPath, measured);
}
