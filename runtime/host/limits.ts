// What this process may use: cores (the CPU quota of its cgroup where one is set: an emulated device, a
// container; else the machine's) and memory (its cgroup's limit, where one is set).
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Cores by quota (cgroup v2 cpu.max or v1 cpu.cfs_quota_us / cpu.cfs_period_us), else the machine's. */
export function availableCores(): number {
  return (
    fromOwnCgroup("cpu", {
      v2: (dir) => {
        const [quota, period] = readFileSync(`${dir}/cpu.max`, "utf8").trim().split(/\s+/);
        return quota && quota !== "max" && period ? Number(quota) / Number(period) : undefined;
      },
      v1: (dir) => {
        const quota = Number(readFileSync(`${dir}/cpu.cfs_quota_us`, "utf8"));
        const period = Number(readFileSync(`${dir}/cpu.cfs_period_us`, "utf8"));
        return quota > 0 && period > 0 ? quota / period : undefined;
      },
    }) ?? availableParallelism()
  );
}

/** The memory limit of this process's cgroup (v2 memory.max, v1 memory.limit_in_bytes), or undefined when none is set. */
export function memoryLimitBytes(): number | undefined {
  return fromOwnCgroup("memory", {
    v2: (dir) => {
      const max = readFileSync(`${dir}/memory.max`, "utf8").trim();
      return max === "max" ? undefined : Number(max);
    },
    // An unset v1 limit reads as the largest page-aligned 63-bit number.
    v1: (dir) => {
      const limit = Number(readFileSync(`${dir}/memory.limit_in_bytes`, "utf8"));
      return limit < 2 ** 62 ? limit : undefined;
    },
  });
}

/** A value read from this process's own cgroup of `controller` (v2: the unified one), or undefined. */
function fromOwnCgroup(controller: string, read: { v1(dir: string): number | undefined; v2(dir: string): number | undefined }): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
  } catch {
    return undefined;
  }
  for (const line of lines) {
    const [, controllers, path] = line.split(":");
    if (controllers === undefined || path === undefined) continue;
    try {
      const value = controllers === "" ? read.v2(`/sys/fs/cgroup${path}`) : controllers.split(",").includes(controller) ? read.v1(`/sys/fs/cgroup/${controllers}${path}`) : undefined;
      if (value !== undefined) return value;
    } catch {
      // This hierarchy is not mounted where expected: try the next.
    }
  }
  return undefined;
}
