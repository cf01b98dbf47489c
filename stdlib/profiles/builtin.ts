// The device profiles shipped with Mema (data files next to this module; no node: imports).
import { DEVICE_PROFILES } from "../names.ts";
import { type DeviceProfile, parseProfile } from "./device-profile.ts";
import rpi4 from "./rpi4.json" with { type: "json" };

const BUILTIN: Record<(typeof DEVICE_PROFILES)[number], unknown> = { rpi4 };

export function isBuiltinProfile(name: string): name is (typeof DEVICE_PROFILES)[number] {
  return (DEVICE_PROFILES as readonly string[]).includes(name);
}

/** A shipped profile by name (`rpi4`). */
export function builtinProfile(name: (typeof DEVICE_PROFILES)[number]): DeviceProfile {
  return parseProfile(BUILTIN[name], `stdlib/profiles/${name}.json`);
}
