// Devices that `--emulate` can stand in for: the limits of a preset, read by the CLI and the benchmarks (no node: imports).

/** What a preset sets; memory is left to the caller (process overhead + the budget under test). */
export interface DevicePreset {
  /** Sequential read rate of the device's storage, bytes per second. */
  readBytesPerSecond: number;
  /** CPU quota in cores that brings this machine's per-layer exec times near the device's profile. */
  cpus: number;
  /** Start every run with a cold page cache, as after a reboot. */
  cold: boolean;
  /** The device profile (stdlib/profiles) the quota was calibrated against. */
  profile: string;
}

/**
 * `rpi4`: the MemA paper's Raspberry Pi 4 with an SD card. Reads at 50 MB/s (a typical SD card's sequential
 * read); the CPU quota was measured against `rpi4-zoo` (README.md, "The rpi4 emulation preset").
 */
export const DEVICE_PRESETS: Readonly<Record<string, DevicePreset>> = {
  rpi4: { readBytesPerSecond: 50e6, cpus: 0.4, cold: true, profile: "rpi4-zoo" },
};
