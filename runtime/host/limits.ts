// What this process may use: cores (the CPU quota of its cgroup where one is set: an emulated device, a
// container; else the machine's) and memory (its cgroup's limit, where one is set).
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Cores by quota (cgroup v2 cpu.max or v1 cpu.cfs_quota_us / cpu.cfs_period_us), else the machine's. */
export function availableCores(): number {
  return cgroupQuota() ?? availableParallelism();
}

function cgroupQuota(): number | undefined {
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
      if (controllers === "") {
        const [quota, period] = readFileSync(`/sys/fs/cgroup${path}/cpu.max`, "utf8").trim().split(/\s+/);
        if (quota && quota !== "max" && period) return Number(quota) / Number(period);
      } else if (controllers.split(",").includes("cpu")) {
        const dir = `/sys/fs/cgroup/${controllers}${path}`;
        const quota = Number(readFileSync(`${dir}/cpu.cfs_quota_us`, "utf8"));
        const period = Number(readFileSync(`${dir}/cpu.cfs_period_us`, "utf8"));
        if (quota > 0 && period > 0) return quota / period;
      }
    } catch {
      // This hierarchy is not mounted where expected: try the next.
    }
  }
  return undefined;
}

/** The memory limit of this process's cgroup (v2 memory.max, v1 memory.limit_in_bytes), or undefined when none is set. */
export function memoryLimitBytes(): number | undefined {
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
      if (controllers === "") {
        const max = readFileSync(`/sys/fs/cgroup${path}/memory.max`, "utf8").trim();
        if (max !== "max") return Number(max);
      } else if (controllers.split(",").includes("memory")) {
        const limit = Number(readFileSync(`/sys/fs/cgroup/${controllers}${path}/memory.limit_in_bytes`, "utf8"));
        // An unset v1 limit reads as the largest page-aligned 63-bit number.
        if (limit < 2 ** 62) return limit;
      }
    } catch {
      // Not mounted where expected: try the next hierarchy.
    }
  }
  return undefined;
}
