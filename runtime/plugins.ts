// What the runtime needs from its plug-ins (policies, the model zoo, device profiles, device presets), as one
// object passed in: runtime/ never imports a value from stdlib/. The built-in object is stdlib/index.ts's
// `stdlib`; the library entry (index.ts) and the CLI (cli/main.ts) hand it over. test/architecture.test.ts
// checks the direction of imports.
import type { ModelProto } from "onnx-buf";
import type { DevicePreset } from "../stdlib/profiles/devices.ts";
import type { DeviceProfile, LayerTimes, NetworkProfile } from "../stdlib/profiles/device-profile.ts";
import type { LayerInfo } from "./model/types.ts";
import type { PolicyFactory } from "./schedule/policy.ts";

/** The model zoo: networks named in a plan (`model agenet;`) rather than given as files. */
export interface ZooPlugin {
  /** What the run needs to know of a zoo network: its task (a classifier's report carries its top1). */
  info(name: string): { task: "classification" | "regression" | "detection" };
  /** The network's ONNX file (with weights), made on first use. */
  modelPath(name: string): Promise<string>;
}

/** Device profiles: measured or estimated per-layer times, for the simulator. */
export interface ProfilesPlugin {
  /** A profile by built-in name or path (throws ProfileError, one line, for a bad one). */
  load(nameOrPath: string): DeviceProfile;
  /** A network's entry in the profile, if it has one. */
  network(profile: DeviceProfile, network: string): NetworkProfile | undefined;
  /** Load and exec times of each of `layers` of `network` on the profile's device. */
  layerTimes(profile: DeviceProfile, network: string, layers: readonly LayerInfo[]): LayerTimes[];
}

/** What the simulator needs besides the policies: device profiles, and the zoo's networks to plan layers from. */
export interface SimulationPlugins {
  /** A zoo network without its weights, for planning its layers. */
  zooModel(name: string, options: { weights: false }): ModelProto;
  profiles: ProfilesPlugin;
}

export interface Plugins {
  /** The policy a plan names, or undefined for an unknown name. */
  policyByName(name: string): PolicyFactory | undefined;
  zoo: ZooPlugin;
  /**
   * The simulator's part, loaded on first call: it brings protobuf and the profiles' data, which a real run's
   * main thread does without (its memory before the first load counts as the device's).
   */
  simulation(): Promise<SimulationPlugins>;
  /** `--emulate` presets by name (`rpi4`). */
  devicePresets: Readonly<Record<string, DevicePreset>>;
}
