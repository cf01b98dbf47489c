// The device profiles shipped with Mema (data files next to this module; no node: imports).
import { DEVICE_PROFILES } from "../names.ts";
import { type DeviceProfile, parseProfile } from "./device-profile.ts";
import rpi4 from "./rpi4.json" with { type: "json" };

type BuiltinName = (typeof DEVICE_PROFILES)[number];

export function isBuiltinProfile(name: string): name is BuiltinName {
  return (DEVICE_PROFILES as readonly string[]).includes(name);
}

const cache = new Map<BuiltinName, DeviceProfile>();

/**
 * A shipped profile by name. `rpi4`: EdgeCaffe's times as it ran them (some prototxts at batch 10, FaceNet on an
 * image pyramid). `rpi4-zoo`: the same device for the zoo's models as Mema runs them (batch 1, one image): exec
 * times divided by each network's `zooScale`, such entries flagged estimated.
 */
export function builtinProfile(name: BuiltinName): DeviceProfile {
  let profile = cache.get(name);
  if (!profile) {
    const base = parseProfile(structuredClone(rpi4), "stdlib/profiles/rpi4.json");
    profile = name === "rpi4-zoo" ? toZooConditions(base) : base;
    cache.set(name, profile);
  }
  return structuredClone(profile);
}

function toZooConditions(base: DeviceProfile): DeviceProfile {
  const networks: DeviceProfile["networks"] = {};
  for (const [key, net] of Object.entries(base.networks)) {
    const scale = net.zooScale ?? 1;
    const scaled = scale !== 1;
    // meanExecutionMs stays EdgeCaffe's: it is MASA's ordering key, a constant of the network.
    networks[key] = {
      ...net,
      zooScale: 1,
      entries: net.entries.map((e) => ({ ...e, execMs: e.execMs / scale, estimated: e.estimated || scaled })),
    };
  }
  return {
    ...base,
    name: "rpi4-zoo",
    description: `${base.description} Exec times divided by each network's zooScale: the zoo's models at batch 1, one image.`,
    networks,
  };
}
