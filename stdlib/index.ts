// The built-in plug-ins as the one object the runtime takes (runtime/plugins.ts): the stdlib's policies, model
// zoo, device profiles and `--emulate` presets. The library entry (index.ts) and the CLI (cli/main.ts) pass
// it in; a user can pass another (e.g. `{ ...stdlib, policyByName }` with a policy of their own).
import type { Plugins } from "../runtime/plugins.ts";
import { policyByName } from "./policies/index.ts";
import { DEVICE_PRESETS } from "./profiles/devices.ts";
import { splitModelTimes, profileNetwork } from "./profiles/device-profile.ts";
import { loadDeviceProfile } from "./profiles/index.ts";
import { zooInfo, zooModel } from "./zoo/catalog.ts";
import { zooModelPath } from "./zoo/generate.ts";

export const stdlib: Plugins = {
  policyByName,
  zoo: {
    info: zooInfo,
    modelPath: (name) => zooModelPath(name),
    model: zooModel,
  },
  profiles: {
    load: loadDeviceProfile,
    network: profileNetwork,
    layerTimes: splitModelTimes,
  },
  devicePresets: DEVICE_PRESETS,
};
