// What an emulated device (mema run --emulate: runtime/host/emulate.ts) counted during one run: the cgroup's
// usage before the first load (the process's own overhead, page cache of its code included), its peak during
// the run, the bytes read from storage and OOM kills. Nothing when the run is not emulated.
import { currentEmulation, describeEmulation } from "../host/emulate.ts";
import type { DeviceFigures } from "../report/types.ts";

/** Called right before the first load: notes the usage and starts the peak over; `finish` after the run. */
export function startDeviceFigures(): { finish(): DeviceFigures | undefined } {
  const emulation = currentEmulation();
  if (!emulation) return { finish: () => undefined };
  const before = emulation.counters();
  try {
    emulation.resetPeak();
  } catch {
    // A kernel that cannot reset the peak: the run's peak is then the process's so far.
  }
  return {
    finish() {
      const after = emulation.counters();
      return {
        emulation: describeEmulation(emulation.spec, { devices: emulation.devices, cgroupVersion: emulation.cgroupVersion }),
        memoryLimitBytes: after.memoryLimitBytes,
        usageBeforeBytes: before.memoryUsageBytes,
        peakBytes: after.memoryPeakBytes,
        readBytes: after.readBytes === null || before.readBytes === null ? null : after.readBytes - before.readBytes,
        oomKills: after.oomKills - before.oomKills,
      };
    },
  };
}
