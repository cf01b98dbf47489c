// The built-in plug-ins as the one object the runtime takes (runtime/plugins.ts): the stdlib's policies, model
// zoo, device profiles and `--emulate` presets. The library entry (index.ts) and the CLI (cli/main.ts) pass
// it in; a user can pass another (e.g. `{ ...stdlib, policyByName }` with a policy of their own). What only the
// simulator needs (protobuf for the zoo's weightless models, the profiles) is imported on its first use.
import type { Plugins, SimulationPlugins } from "../runtime/plugins.ts";
import { policyByName } from "./policies/index.ts";
import { DEVICE_PRESETS } from "./profiles/devices.ts";
import { zooInfo } from "./zoo/facts.ts";
import { zooModelPath } from "./zoo/generate.ts";

let simulation: Promise<SimulationPlugins> | undefined;

export const stdlib: Plugins = {
  policyByName,
  zoo: {
    info: zooInfo,
    modelPath: (name) => zooModelPath(name),
  },
  simulation: () =>
    (simulation ??= Promise.all([import("./zoo/catalog.ts"), import("./profiles/index.ts")]).then(([catalog, profiles]) => ({
      zooModel: catalog.zooModel,
      profiles: { load: profiles.loadDeviceProfile, network: profiles.profileNetwork, layerTimes: profiles.splitModelTimes },
    }))),
  devicePresets: DEVICE_PRESETS,
};
