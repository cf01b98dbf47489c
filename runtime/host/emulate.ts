// Device emulation: runs a command inside cgroups that cap its memory, throttle its reads and its CPU, and count them.
// Linux only; cgroup v1 (one hierarchy per controller) and v2 (the unified hierarchy).
import { spawn, spawnSync, type StdioOptions } from "node:child_process";
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, rmdirSync, statSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { splitQuantity } from "../../lang/literals.ts";
import { didYouMean } from "../../lang/suggest.ts";
import { BYTES_PER_UNIT, SIZE_UNIT_LIST } from "../../lang/units.ts";
import type { DevicePreset } from "../../stdlib/profiles/devices.ts";
import { currentRuntime } from "../platform.ts";
import { formatBudget } from "../report/quantity.ts";
import { processAlive } from "./write-file.ts";

export interface EmulationSpec {
  /** Hard limit for the command's process tree, page cache included (v1 memory.limit_in_bytes + memsw, v2 memory.max); no swap. */
  memoryBytes?: number;
  /** Read throttle on the disks holding the given paths (v1 blkio.throttle.read_bps_device, v2 io.max rbps). */
  readBytesPerSecond?: number;
  /** CPU quota in cores (v1 cpu.cfs_quota_us / cfs_period_us, v2 cpu.max), over a 5 ms period (longer below 0.2). */
  cpus?: number;
  /** Drop the page cache first (sync, then drop_caches), so that files are read from storage. */
  cold: boolean;
  /** The preset the text named (`rpi4`). */
  preset?: string;
}

/** Emulation cannot be set up as asked: `message` is one line saying why and what would allow it. */
export class EmulationError extends Error {
  readonly code: string;
  constructor(message: string, code = "E_EMULATE") {
    super(message);
    this.name = "EmulationError";
    this.code = code;
  }
}

export const EMULATION_KEYS = ["memory", "read", "cpus", "cold"] as const;

/** The environment variable through which the command learns its emulation (JSON, see currentEmulation). */
export const EMULATION_ENV = "MEMA_EMULATION";

/**
 * The CFS period. With the default (100 ms) a process with 0.35 CPU runs 35 ms at full speed, then stalls for
 * 65 ms: a layer exec of a few ms takes either its full-speed time or that plus a stall. Measured here on
 * SoS_GoogleNet's 58 layers at 0.35 CPU, each layer's exec time against its unthrottled time / 0.35 (p10-p90):
 * 100 ms 0.24-0.35 (the short layers ran at full speed, the stalls fell elsewhere), 10 ms 0.23-3.2 to
 * 0.66-4.0, 5 ms 0.98-2.7 to 1.23-3.9, 2.9 ms 1.39-3.2. Below 5 ms (the kernel's bandwidth slice) nothing
 * improves; the kernel's smallest quota is 1 ms, so below 0.2 CPU the period grows to keep the quota at 1 ms.
 */
const CPU_PERIOD_US = 5_000;
const MIN_QUOTA_US = 1_000;
const cpuPeriodUs = (cpus: number) => Math.max(CPU_PERIOD_US, Math.ceil(MIN_QUOTA_US / cpus));
const MIN_CPUS = 0.1;

// ---------------------------------------------------------------------------------------------------------------
// The text: "rpi4", "memory=320MiB,read=50MB/s,cpus=1.5,cold=false", "rpi4,memory=400MiB"

/** Presets by name (stdlib/profiles/devices.ts's DEVICE_PRESETS, passed in by the CLI as Plugins.devicePresets). */
export type DevicePresets = Readonly<Record<string, DevicePreset>>;

const validItems = (presets: DevicePresets) => `keys: ${EMULATION_KEYS.join(", ")}; presets: ${Object.keys(presets).join(", ") || "none"}`;

/** `320MiB` as bytes; `what` names the item in errors. A unit is required, as for budgets (512 bytes or MB?). */
function parseBytes(value: string, what: string, example: string): number {
  const { value: n, unit } = splitQuantity(value.trim());
  const scale = unit === null ? undefined : BYTES_PER_UNIT[unit.trim()];
  if (!Number.isFinite(n) || scale === undefined) {
    throw new EmulationError(`${what}: expected ${example} (units: ${SIZE_UNIT_LIST})`);
  }
  const bytes = Math.floor(n * scale);
  if (!(bytes > 0)) throw new EmulationError(`${what}: must be more than 0`);
  return bytes;
}

/** Parses an `--emulate` value: a preset of `presets`, KEY=VALUE items, or both (the keys override the preset's). */
export function parseEmulation(text: string, presets: DevicePresets): EmulationSpec {
  const VALID = () => validItems(presets);
  const items = text.split(",").map((s) => s.trim());
  if (items.every((s) => s === "")) throw new EmulationError(`'${text}' is empty: expected a preset or KEY=VALUE items (${VALID()})`);
  let preset: string | undefined;
  const keyed = new Map<string, string>();
  for (const item of items) {
    if (item === "") throw new EmulationError(`'${text}' has an empty item: expected items separated by single commas (${VALID()})`);
    const eq = item.indexOf("=");
    if (eq < 0) {
      if (!Object.hasOwn(presets, item)) {
        throw new EmulationError(`unknown preset '${item}'${didYouMean(item, [...Object.keys(presets), ...EMULATION_KEYS])} (${VALID()}; a key needs =VALUE)`);
      }
      if (preset !== undefined) throw new EmulationError(`two presets ('${preset}', '${item}'): name one`);
      preset = item;
      continue;
    }
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!(EMULATION_KEYS as readonly string[]).includes(key)) {
      throw new EmulationError(`unknown key '${key}'${didYouMean(key, EMULATION_KEYS)} (${VALID()})`);
    }
    if (keyed.has(key)) throw new EmulationError(`'${key}' is given twice`);
    keyed.set(key, value);
  }
  const spec: EmulationSpec = { cold: true };
  if (preset !== undefined) {
    const p = presets[preset]!;
    Object.assign(spec, { preset, readBytesPerSecond: p.readBytesPerSecond, cpus: p.cpus, cold: p.cold });
  }
  for (const [key, value] of keyed) {
    const item = `${key}=${value}`;
    if (key === "memory") spec.memoryBytes = parseBytes(value, item, "a size such as 320MiB");
    if (key === "read") {
      if (!/\/s$/.test(value)) throw new EmulationError(`${item}: expected a rate such as 50MB/s (units: ${SIZE_UNIT_LIST}, per second)`);
      spec.readBytesPerSecond = parseBytes(value.slice(0, -2), item, "a rate such as 50MB/s");
    }
    if (key === "cpus") {
      const cpus = Number(value);
      if (value === "" || !Number.isFinite(cpus) || cpus < MIN_CPUS) {
        throw new EmulationError(`${item}: expected a number of CPUs of at least ${MIN_CPUS}, e.g. 1.5`);
      }
      spec.cpus = cpus;
    }
    if (key === "cold") {
      if (value !== "true" && value !== "false") throw new EmulationError(`${item}: expected true or false`);
      spec.cold = value === "true";
    }
  }
  return spec;
}

/** A whole disk, as the kernel names it: `vda`, `254:0`. */
export interface BlockDevice {
  name: string;
  majorMinor: string;
}

/** `memory 320 MiB, reads 50 MB/s on vda (254:0), 0.6 CPUs, page cache dropped (cgroup v1)`. */
export function describeEmulation(spec: EmulationSpec, detail: { devices?: readonly BlockDevice[]; cgroupVersion?: 1 | 2 } = {}): string {
  const parts: string[] = [];
  if (spec.memoryBytes !== undefined) parts.push(`memory ${formatBudget(spec.memoryBytes)}`);
  if (spec.readBytesPerSecond !== undefined) {
    const on = detail.devices?.length ? ` on ${detail.devices.map((d) => `${d.name} (${d.majorMinor})`).join(", ")}` : "";
    parts.push(`reads ${formatBudget(spec.readBytesPerSecond)}/s${on}`);
  }
  if (spec.cpus !== undefined) parts.push(`${spec.cpus} CPU${spec.cpus === 1 ? "" : "s"}`);
  if (parts.length === 0) parts.push("no limits");
  parts.push(spec.cold ? "page cache dropped" : "page cache kept");
  const version = detail.cgroupVersion ? ` (cgroup v${detail.cgroupVersion})` : "";
  return `${spec.preset ? `${spec.preset}: ` : ""}${parts.join(", ")}${version}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Where cgroups go

/** The kernel's view of mounts and of this process's cgroups; tests pass a fake pointing into a temporary folder. */
export interface CgroupHost {
  /** The text of /proc/self/mountinfo. */
  mountinfo: string;
  /** The text of /proc/self/cgroup. */
  selfCgroup: string;
}

export function cgroupHost(): CgroupHost {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  return { mountinfo: read("/proc/self/mountinfo"), selfCgroup: read("/proc/self/cgroup") };
}

/** The cgroups new ones are created under: this process's own, in each hierarchy used. */
export type CgroupParents =
  | { version: 1; memory: string; blkio?: string; cpu?: string }
  | { version: 2; dir: string; controllers: string[] };

interface Mount {
  majorMinor: string;
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const f = left.split(" ");
    const [fsType, source, superOptions] = right.split(" ");
    if (f.length < 6 || !fsType) continue;
    mounts.push({ majorMinor: f[2]!, root: unescape(f[3]!), mountPoint: unescape(f[4]!), fsType, source: unescape(source ?? ""), superOptions: (superOptions ?? "").split(",") });
  }
  return mounts;
}

/** This process's cgroup path in a hierarchy, mapped to a directory under the mount (which may show a sub-tree). */
function dirIn(mount: Mount, path: string): string {
  const inside = mount.root !== "/" && (path === mount.root || path.startsWith(mount.root + "/")) ? path.slice(mount.root.length) : path;
  return join(mount.mountPoint, inside).replace(/(.)\/$/, "$1");
}

const DELEGATE = "systemd-run --user --scope -p Delegate=yes mema ...";

/** Finds where to create cgroups for `spec`: v1 when the memory controller is mounted as one, else v2. */
export function cgroupParents(spec: EmulationSpec, host: CgroupHost = cgroupHost()): CgroupParents {
  const mounts = parseMountinfo(host.mountinfo);
  const lines = host.selfCgroup.split("\n").map((l) => /^(\d+):([^:]*):(.*)$/.exec(l)).filter((m) => m !== null);
  const v1 = (controller: string): string | undefined => {
    const mount = mounts.find((m) => m.fsType === "cgroup" && m.superOptions.includes(controller));
    const line = lines.find((m) => m[2]!.split(",").includes(controller));
    return mount && line ? dirIn(mount, line[3]!) : undefined;
  };
  const memory = v1("memory");
  if (memory) {
    const blkio = v1("blkio");
    const cpu = v1("cpu");
    const mount = (c: string) => `mount it (mkdir -p /sys/fs/cgroup/${c} && mount -t cgroup -o ${c} none /sys/fs/cgroup/${c})`;
    if (spec.readBytesPerSecond !== undefined && !blkio) throw new EmulationError(`read= needs the cgroup v1 blkio controller, which is not mounted: ${mount("blkio")}`, "E_EMULATE_UNSUPPORTED");
    if (spec.cpus !== undefined && !cpu) throw new EmulationError(`cpus= needs the cgroup v1 cpu controller, which is not mounted: ${mount("cpu")}`, "E_EMULATE_UNSUPPORTED");
    return { version: 1, memory, ...(blkio ? { blkio } : {}), ...(cpu ? { cpu } : {}) };
  }
  const unified = mounts.find((m) => m.fsType === "cgroup2");
  const line = lines.find((m) => m[1] === "0" && m[2] === "");
  if (!unified || !line) {
    throw new EmulationError(
      "no cgroup filesystem with a memory controller is mounted: mount cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup) or the v1 memory controller (mount -t cgroup -o memory none /sys/fs/cgroup/memory)",
      "E_EMULATE_UNSUPPORTED",
    );
  }
  let dir = dirIn(unified, line[3]!);
  // Already moved into our own leaf by enableV2Controllers (an earlier emulation in this process): create beside it.
  if (basename(dir) === `mema-${process.pid}-0`) dir = dirname(dir);
  let controllers: string[];
  try {
    controllers = readFileSync(join(dir, "cgroup.controllers"), "utf8").trim().split(/\s+/).filter(Boolean);
  } catch (error) {
    throw new EmulationError(`cannot read ${join(dir, "cgroup.controllers")} (${(error as { code?: string }).code}): is cgroup v2 mounted at ${unified.mountPoint}?`, "E_EMULATE_UNSUPPORTED");
  }
  const needed = ["memory", ...(spec.readBytesPerSecond !== undefined ? ["io"] : []), ...(spec.cpus !== undefined ? ["cpu"] : [])];
  const missing = needed.filter((c) => !controllers.includes(c));
  if (missing.length > 0) {
    throw new EmulationError(
      `cgroup v2: the ${missing.join(", ")} controller${missing.length > 1 ? "s are" : " is"} not delegated to ${dir} (it has: ${controllers.join(" ") || "none"}): ` +
        `run as root with them enabled in the parent's cgroup.subtree_control, or in a delegated scope: ${DELEGATE}`,
      "E_EMULATE_UNSUPPORTED",
    );
  }
  return { version: 2, dir, controllers };
}

// ---------------------------------------------------------------------------------------------------------------
// Disks

/** Linux's dev_t as major:minor (glibc's gnu_dev_major / gnu_dev_minor). */
function majorMinorOf(dev: number): string {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** The whole disk of a block device: a partition's parent (found through /sys/dev/block/MAJ:MIN). */
export function wholeDisk(majorMinor: string, sysRoot = "/sys"): BlockDevice | undefined {
  let device: string;
  try {
    device = realpathSync(join(sysRoot, "dev/block", majorMinor));
  } catch {
    return undefined;
  }
  if (existsSync(join(device, "partition"))) device = dirname(device);
  try {
    return { name: basename(device), majorMinor: readFileSync(join(device, "dev"), "utf8").trim() };
  } catch {
    return { name: basename(device), majorMinor };
  }
}

/**
 * The disk holding `path`, to throttle its reads. tmpfs, overlay and network file systems have none (their
 * st_dev is an anonymous 0:N): that is an EmulationError naming the path. A file system whose st_dev is
 * anonymous but which sits on one device (btrfs) is found through its mount's source.
 */
export function blockDeviceOf(path: string, options: { sysRoot?: string; mountinfo?: string } = {}): BlockDevice {
  const sysRoot = options.sysRoot ?? "/sys";
  let dev: number;
  try {
    dev = statSync(path).dev;
  } catch (error) {
    throw new EmulationError(`cannot find the disk holding ${path}: ${(error as { code?: string }).code ?? (error as Error).message}`, "E_EMULATE_DEVICE");
  }
  const majorMinor = majorMinorOf(dev);
  const disk = wholeDisk(majorMinor, sysRoot);
  if (disk) return disk;
  const mount = parseMountinfo(options.mountinfo ?? cgroupHost().mountinfo).find((m) => m.majorMinor === majorMinor);
  if (mount?.source.startsWith("/dev/")) {
    try {
      const source = statSync(mount.source);
      if (source.isBlockDevice()) {
        const found = wholeDisk(majorMinorOf(source.rdev), sysRoot);
        if (found) return found;
      }
    } catch {
      // Not a device node: fall through.
    }
  }
  const fs = mount ? `${mount.fsType} (${mount.mountPoint})` : `device ${majorMinor}`;
  throw new EmulationError(
    `cannot throttle reads of ${path}: it is on ${fs}, which has no block device; put the files on a disk (MEMA_CACHE_DIR for the cache) or leave out read=`,
    "E_EMULATE_DEVICE",
  );
}

/** The distinct whole disks holding `paths` (those that exist). */
export function blockDevicesOf(paths: readonly string[], options?: { sysRoot?: string; mountinfo?: string }): BlockDevice[] {
  const devices = new Map<string, BlockDevice>();
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const device = blockDeviceOf(path, options);
    devices.set(device.majorMinor, device);
  }
  return [...devices.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// Creating, reading and removing the cgroups

/** The cgroups of one emulated command. */
export interface EmulationCgroups {
  version: 1 | 2;
  /** Every cgroup the command joins (v1: one per controller; v2: one). */
  dirs: string[];
  /** The directory with the memory files. */
  memory: string;
  /** The directory with the blkio (v1) or io (v2) files, when that controller is in use. */
  io?: string;
  cpu?: string;
}

/** What the emulated device did: its memory limit and peak (page cache included), bytes read from storage, OOM kills. */
export interface DeviceCounters {
  memoryLimitBytes: number | null;
  /** null on cgroup v2 kernels without memory.peak (before Linux 5.19). */
  memoryPeakBytes: number | null;
  /** What the cgroup holds now (the process and the page cache charged to it). */
  memoryUsageBytes: number;
  /** null when no blkio/io controller counts reads. */
  readBytes: number | null;
  oomKills: number;
}

let sequence = 0;

/** `mema-<pid>-<n>`: the pid tells removeStaleCgroups whose it is. */
const STALE_NAME = /^mema-(\d+)-\d+$/;

function errorCode(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).message;
}

/** A failed cgroup file operation as one line saying what would allow it. */
function cgroupFailure(error: unknown, what: string): EmulationError {
  const code = errorCode(error);
  if (code === "EACCES" || code === "EPERM") {
    return new EmulationError(`cannot ${what} (permission denied): run as root, or in a cgroup v2 subtree delegated to you (${DELEGATE})`, "E_EMULATE_UNSUPPORTED");
  }
  if (code === "EROFS") {
    return new EmulationError(`cannot ${what}: the cgroup filesystem is read-only (a container?); run where it is writable (as root on the host, docker --privileged) or in a delegated scope (${DELEGATE})`, "E_EMULATE_UNSUPPORTED");
  }
  return new EmulationError(`cannot ${what} (${code})`, "E_EMULATE_UNSUPPORTED");
}

function write(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch (error) {
    throw cgroupFailure(error, `write '${value.trim()}' to ${join(dir, file)}`);
  }
}

/** Optional files (memsw needs swap accounting, memory.swap.max swap): present in the new cgroup or its parent. */
const hasFile = (dir: string, parent: string, file: string) => existsSync(join(dir, file)) || existsSync(join(parent, file));

/**
 * cgroup v2 allows controllers below a cgroup only when no process sits in it ("no internal processes"). In a
 * scope of our own (systemd-run ... Delegate=yes) we are its only process: move into a leaf beside the emulated
 * cgroup (it is removed as stale once this process has exited), then enable them.
 */
function enableV2Controllers(parent: string, controllers: string[]): void {
  const file = join(parent, "cgroup.subtree_control");
  const enabled = existsSync(file) ? readFileSync(file, "utf8").trim().split(/\s+/) : [];
  const missing = controllers.filter((c) => !enabled.includes(c));
  if (missing.length === 0) return;
  const value = missing.map((c) => `+${c}`).join(" ");
  try {
    writeFileSync(file, value);
    return;
  } catch (error) {
    if (errorCode(error) !== "EBUSY") throw cgroupFailure(error, `write '${value}' to ${file}`);
  }
  const procs = readFileSync(join(parent, "cgroup.procs"), "utf8").trim().split(/\s+/).filter(Boolean);
  if (procs.length !== 1 || procs[0] !== String(process.pid)) {
    throw new EmulationError(
      `cgroup v2: cannot enable ${missing.join(", ")} below ${parent}, which holds other processes (${procs.length}): start mema in a cgroup of its own (${DELEGATE})`,
      "E_EMULATE_UNSUPPORTED",
    );
  }
  const leaf = join(parent, `mema-${process.pid}-0`);
  try {
    mkdirSync(leaf, { recursive: true });
    writeFileSync(join(leaf, "cgroup.procs"), String(process.pid));
    writeFileSync(file, value);
  } catch (error) {
    throw cgroupFailure(error, `enable ${missing.join(", ")} below ${parent}`);
  }
}

/**
 * Creates the cgroups for `spec` under `parents` and writes its limits (the read throttle on `devices`). On a
 * failure, whatever was created is removed before the EmulationError is thrown.
 */
export function createCgroups(parents: CgroupParents, spec: EmulationSpec, devices: readonly BlockDevice[], name = `mema-${process.pid}-${++sequence}`): EmulationCgroups {
  const made: string[] = [];
  const mkdir = (parent: string) => {
    const dir = join(parent, name);
    try {
      mkdirSync(dir);
    } catch (error) {
      throw cgroupFailure(error, `create a cgroup in ${parent}`);
    }
    made.push(dir);
    return dir;
  };
  try {
    if (parents.version === 1) {
      const memory = mkdir(parents.memory);
      const cgroups: EmulationCgroups = { version: 1, dirs: made, memory };
      if (spec.memoryBytes !== undefined) {
        write(memory, "memory.limit_in_bytes", String(spec.memoryBytes));
        // memory + swap at the same limit: no swap (set after the memory limit: memsw may not be below it).
        if (hasFile(memory, parents.memory, "memory.memsw.limit_in_bytes")) write(memory, "memory.memsw.limit_in_bytes", String(spec.memoryBytes));
      }
      if (parents.blkio) {
        // Joined even without a throttle: it counts the bytes read.
        cgroups.io = mkdir(parents.blkio);
        if (spec.readBytesPerSecond !== undefined) {
          for (const d of devices) write(cgroups.io, "blkio.throttle.read_bps_device", `${d.majorMinor} ${Math.round(spec.readBytesPerSecond)}`);
        }
      }
      if (spec.cpus !== undefined && parents.cpu) {
        cgroups.cpu = mkdir(parents.cpu);
        const period = cpuPeriodUs(spec.cpus);
        write(cgroups.cpu, "cpu.cfs_period_us", String(period));
        write(cgroups.cpu, "cpu.cfs_quota_us", String(Math.round(spec.cpus * period)));
      }
      return cgroups;
    }
    const io = parents.controllers.includes("io");
    enableV2Controllers(parents.dir, ["memory", ...(io ? ["io"] : []), ...(spec.cpus !== undefined ? ["cpu"] : [])]);
    const dir = mkdir(parents.dir);
    if (spec.memoryBytes !== undefined) {
      write(dir, "memory.max", String(spec.memoryBytes));
      if (hasFile(dir, parents.dir, "memory.swap.max")) write(dir, "memory.swap.max", "0");
    }
    if (spec.readBytesPerSecond !== undefined) {
      for (const d of devices) write(dir, "io.max", `${d.majorMinor} rbps=${Math.round(spec.readBytesPerSecond)}`);
    }
    if (spec.cpus !== undefined) write(dir, "cpu.max", `${Math.round(spec.cpus * cpuPeriodUs(spec.cpus))} ${cpuPeriodUs(spec.cpus)}`);
    return { version: 2, dirs: made, memory: dir, ...(io ? { io: dir } : {}), ...(spec.cpus !== undefined ? { cpu: dir } : {}) };
  } catch (error) {
    removeCgroupsNow(made);
    throw error;
  }
}

function readText(dir: string, file: string): string {
  return readFileSync(join(dir, file), "utf8");
}

/** `key value` lines (memory.oom_control, memory.events): the value of `key`, else 0. */
function keyedValue(text: string, key: string): number {
  const match = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

function readOptional(dir: string, file: string): string | undefined {
  try {
    return readText(dir, file);
  } catch {
    return undefined;
  }
}

/** The counters of the cgroups now. */
export function readCounters(cgroups: EmulationCgroups): DeviceCounters {
  const m = cgroups.memory;
  if (cgroups.version === 1) {
    const limit = Number(readText(m, "memory.limit_in_bytes"));
    // "254:0 Read 1234" per device; Total lines and other operations left out.
    const io = cgroups.io ? readOptional(cgroups.io, "blkio.throttle.io_service_bytes") : undefined;
    return {
      // An unset v1 limit reads as the largest page-aligned 63-bit number.
      memoryLimitBytes: limit >= 2 ** 62 ? null : limit,
      memoryPeakBytes: Number(readText(m, "memory.max_usage_in_bytes")),
      memoryUsageBytes: Number(readText(m, "memory.usage_in_bytes")),
      readBytes: io === undefined ? null : [...io.matchAll(/^\S+ Read (\d+)$/gm)].reduce((s, x) => s + Number(x[1]), 0),
      oomKills: keyedValue(readText(m, "memory.oom_control"), "oom_kill"),
    };
  }
  const max = readText(m, "memory.max").trim();
  const peak = readOptional(m, "memory.peak");
  const io = cgroups.io ? readOptional(cgroups.io, "io.stat") : undefined;
  return {
    memoryLimitBytes: max === "max" ? null : Number(max),
    memoryPeakBytes: peak === undefined ? null : Number(peak),
    memoryUsageBytes: Number(readText(m, "memory.current")),
    readBytes: io === undefined ? null : [...io.matchAll(/\brbytes=(\d+)/g)].reduce((s, x) => s + Number(x[1]), 0),
    oomKills: keyedValue(readText(m, "memory.events"), "oom_kill"),
  };
}

function processesIn(dir: string): number[] {
  const text = readOptional(dir, "cgroup.procs") ?? "";
  return text.split(/\s+/).filter(Boolean).map(Number);
}

function tryRmdir(dir: string): "gone" | "busy" {
  try {
    rmdirSync(dir);
    return "gone";
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT") return "gone";
    if (code === "EBUSY" || code === "ENOTEMPTY") return "busy";
    throw error;
  }
}

/** One attempt at each: what the command left running is killed first. Returns the dirs still there. */
function removeCgroupsNow(dirs: readonly string[]): string[] {
  const left: string[] = [];
  for (const dir of [...dirs].reverse()) {
    for (const pid of processesIn(dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (tryRmdir(dir) === "busy") left.push(dir);
  }
  return left;
}

/**
 * Removes the cgroups, killing anything the command left in them. A killed process leaves its cgroup a little
 * after its exit is reported, so a busy cgroup is retried for up to 5 s.
 */
export async function removeCgroups(cgroups: Pick<EmulationCgroups, "dirs">): Promise<void> {
  let left = removeCgroupsNow(cgroups.dirs);
  for (let waitedMs = 0; left.length > 0; waitedMs += 20) {
    if (waitedMs >= 5000) throw new EmulationError(`cannot remove ${left.join(", ")}: processes remain in it`, "E_EMULATE_CLEANUP");
    await new Promise((r) => setTimeout(r, 20));
    left = removeCgroupsNow(left);
  }
}

/** Removes `mema-<pid>-<n>` cgroups under `parents` whose creating process is dead and which hold no process. */
export function removeStaleCgroups(parents: CgroupParents): string[] {
  const removed: string[] = [];
  const dirs = parents.version === 1 ? [parents.memory, parents.blkio, parents.cpu] : [parents.dir];
  for (const parent of dirs) {
    if (!parent) continue;
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = STALE_NAME.exec(name);
      if (!match || processAlive(Number(match[1]))) continue;
      const dir = join(parent, name);
      // An emulated command may outlive its launcher: leave it be, a later run removes its cgroup.
      if (processesIn(dir).length > 0) continue;
      if (tryRmdir(dir) === "gone") removed.push(dir);
    }
  }
  return removed;
}

/** Writes back dirty pages, then drops the page cache, dentries and inodes (machine-wide: root only). */
export function dropPageCache(): void {
  spawnSync("sync");
  try {
    writeFileSync("/proc/sys/vm/drop_caches", "3");
  } catch (error) {
    throw new EmulationError(`cannot drop the page cache (/proc/sys/vm/drop_caches: ${errorCode(error)}): run as root, or add cold=false`, "E_EMULATE_UNSUPPORTED");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Running a command

export interface EmulationOptions {
  /** Files the command reads from storage (models, the cache): the read throttle goes on the disks holding them. */
  paths?: readonly string[];
  /** The command's environment (default: this process's); EMULATION_ENV is added. */
  env?: NodeJS.ProcessEnv;
  /** Default "inherit": the command reads and writes this process's stdin, stdout and stderr. */
  stdio?: StdioOptions;
  /** Called with describeEmulation's line once the cgroups are set up, before the page cache is dropped and the command starts. */
  onStart?(description: string): void;
  /**
   * Default true: SIGINT, SIGTERM and SIGHUP sent to this process go to the command (which runs in a session
   * of its own, so a terminal's Ctrl-C reaches it once, through here); a second one, 500 ms or more after
   * the first, kills it (sooner, it is the same Ctrl-C delivered twice, and ignored).
   */
  forwardSignals?: boolean;
  /**
   * A command run first, outside the cgroups (on the host's memory and storage), once every check has
   * passed: what the command would otherwise do inside without it being part of what is measured (the CLI
   * splits and caches the models there, so that a first run is not OOM-killed while splitting). It runs with
   * the same stdio and signal handling; unless it ends with 0 nothing is emulated (`stage: "setup"`).
   */
  setup?: readonly string[];
}

export interface EmulatedResult {
  /** "setup": the setup command failed or was stopped, the command never ran and the counters are empty. */
  stage: "setup" | "command";
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Killed (SIGKILL) while the memory cgroup counted an OOM kill. */
  oomKilled: boolean;
  /** The first signal this process received and passed on (Ctrl-C: SIGINT); a second one killed the command. */
  stoppedBy: NodeJS.Signals | null;
  counters: DeviceCounters;
  cgroupVersion: 1 | 2;
  /** The disks whose reads were throttled. */
  devices: BlockDevice[];
  description: string;
}

/** What the command finds in EMULATION_ENV. */
interface EmulationEnv {
  spec: EmulationSpec;
  cgroups: EmulationCgroups;
  devices: BlockDevice[];
}

/** Everything that can be refused is checked here, before any cgroup exists. */
function prepare(spec: EmulationSpec, paths: readonly string[]) {
  if (process.platform !== "linux") throw new EmulationError(`emulation needs Linux cgroups; this is ${process.platform}`, "E_EMULATE_UNSUPPORTED");
  const cores = availableParallelism();
  if (spec.cpus !== undefined && spec.cpus > cores) throw new EmulationError(`cpus=${spec.cpus}: this machine has ${cores} CPU${cores === 1 ? "" : "s"}`, "E_EMULATE");
  const parents = cgroupParents(spec);
  const devices = spec.readBytesPerSecond !== undefined ? blockDevicesOf(paths.length > 0 ? paths : [process.cwd()]) : [];
  if (spec.cold) {
    try {
      accessSync("/proc/sys/vm/drop_caches", constants.W_OK);
    } catch (error) {
      throw new EmulationError(`cold=true needs to drop the page cache (/proc/sys/vm/drop_caches: ${errorCode(error)}): run as root, or add cold=false`, "E_EMULATE_UNSUPPORTED");
    }
  }
  return { parents, devices };
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** A signal within this long of the first is a duplicate of it (runtime/execute/interrupt.ts's default). */
const DUPLICATE_SIGNAL_MS = 500;

/**
 * The command that runs `script` on this same runtime: Node with this process's flags (the test runner's
 * left out) and tsx for a TypeScript file, Bun, or Deno with every permission (as the CLI documents `deno run -A`).
 */
export function sameRuntimeCommand(script: string, args: readonly string[] = []): string[] {
  const runtime = currentRuntime();
  if (runtime === "deno") return [process.execPath, "run", "-A", script, ...args];
  if (runtime === "bun") return [process.execPath, script, ...args];
  const flags = process.execArgv.filter((f) => !f.startsWith("--test"));
  // Compiled JavaScript needs no loader.
  if (!/\.[cm]?ts$/.test(script)) return [process.execPath, ...flags, script, ...args];
  const loadsTsx = flags.some((f, i) => /tsx/.test(f) && (/^--(import|loader|require)=/.test(f) || /^--(import|loader|require)$/.test(flags[i - 1] ?? "")));
  // Resolved here, so that the command runs from any working directory.
  return [process.execPath, ...flags, ...(loadsTsx ? [] : ["--import", import.meta.resolve("tsx")]), script, ...args];
}

/**
 * Runs `command` inside new cgroups limited by `spec`: it joins them before it allocates anything (`sh` writes
 * its own pid into each cgroup.procs, then execs the command), so the whole process tree is counted and
 * limited; this process stays outside. The cgroups are removed afterwards, whatever happened.
 */
export async function runEmulated(spec: EmulationSpec, command: readonly string[], options: EmulationOptions = {}): Promise<EmulatedResult> {
  if (command.length === 0) throw new EmulationError("no command to run", "E_EMULATE");
  const { parents, devices } = prepare(spec, (options.paths ?? []).map((p) => resolve(p)));
  const description = describeEmulation(spec, { devices, cgroupVersion: parents.version });
  if (options.setup) {
    const setup = await runForwarding(options.setup, { env: options.env ?? process.env, stdio: options.stdio, forwardSignals: options.forwardSignals });
    if (setup.exitCode !== 0 || setup.stoppedBy !== null) {
      const counters: DeviceCounters = { memoryLimitBytes: spec.memoryBytes ?? null, memoryPeakBytes: null, memoryUsageBytes: 0, readBytes: null, oomKills: 0 };
      return { stage: "setup", ...setup, oomKilled: false, counters, cgroupVersion: parents.version, devices, description };
    }
  }
  removeStaleCgroups(parents);
  const cgroups = createCgroups(parents, spec, devices);
  try {
    options.onStart?.(description);
    if (spec.cold) dropPageCache();
    const env: EmulationEnv = { spec, cgroups, devices };
    // `for` walks the cgroup.procs paths up to `--`; a failed join ends here (125) rather than run unlimited.
    const script = 'for f do [ "$f" = -- ] && break; { echo $$ > "$f"; } 2>/dev/null || { echo "mema: cannot join the cgroup $f" >&2; exit 125; }; shift; done; shift; exec "$@"';
    const exit = await runForwarding(["sh", "-c", script, "sh", ...cgroups.dirs.map((d) => join(d, "cgroup.procs")), "--", ...command], {
      env: { ...(options.env ?? process.env), [EMULATION_ENV]: JSON.stringify(env) },
      stdio: options.stdio,
      forwardSignals: options.forwardSignals,
    });
    const counters = readCounters(cgroups);
    return { stage: "command", ...exit, oomKilled: exit.signal === "SIGKILL" && counters.oomKills > 0, counters, cgroupVersion: parents.version, devices, description };
  } finally {
    await removeCgroups(cgroups);
  }
}

/**
 * Runs `command` as the leader of a process group of its own and waits for it; with `forwardSignals` (default
 * true), SIGINT, SIGTERM and SIGHUP sent to this process go to that group (see EmulationOptions.forwardSignals).
 */
async function runForwarding(
  command: readonly string[],
  options: { env: NodeJS.ProcessEnv; stdio?: StdioOptions; forwardSignals?: boolean },
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stoppedBy: NodeJS.Signals | null }> {
  let child: ReturnType<typeof spawn> | undefined;
  let stoppedBy: NodeJS.Signals | null = null;
  let firstAtMs = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    const first = stoppedBy === null;
    // As in runtime/execute/interrupt.ts: a signal this soon after the first is the same keypress (the
    // terminal sends Ctrl-C to the whole group, npx passes it on again), not a second one.
    if (!first && performance.now() - firstAtMs < DUPLICATE_SIGNAL_MS) return;
    if (first) firstAtMs = performance.now();
    stoppedBy ??= signal;
    try {
      // The command leads its own process group: the signal reaches what it started too, as a terminal's would.
      if (child?.pid !== undefined) process.kill(-child.pid, first ? signal : "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  // Listening before the spawn also makes the command start with these signals at their default action: a
  // signal this process ignored (started in the background by a script) would otherwise stay ignored in the
  // command under Deno, whose spawn does not reset them as libuv's does.
  const forward = options.forwardSignals !== false;
  if (forward) for (const s of FORWARDED) process.on(s, onSignal);
  try {
    const started = spawn(command[0]!, command.slice(1), { stdio: options.stdio ?? "inherit", env: options.env, detached: true });
    child = started;
    const exit = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      started.once("error", reject);
      started.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
    });
    return { ...exit, stoppedBy };
  } finally {
    if (forward) {
      for (const s of FORWARDED) process.off(s, onSignal);
      // A command that stops quickly can end before the same keypress's duplicate arrives: without a listener
      // that duplicate would end this process by the signal's default action (exit by SIGINT, not 130) after
      // the command's own clean stop. It is swallowed until the window has passed.
      const left = stoppedBy === null ? 0 : DUPLICATE_SIGNAL_MS - (performance.now() - firstAtMs);
      if (left > 0) {
        const swallow = () => {};
        for (const s of FORWARDED) process.on(s, swallow);
        setTimeout(() => {
          for (const s of FORWARDED) process.off(s, swallow);
        }, left).unref();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Inside the emulated command

export interface CurrentEmulation {
  spec: EmulationSpec;
  cgroupVersion: 1 | 2;
  devices: BlockDevice[];
  /** The device's counters now (read bytes and OOM kills since the start: take differences for one run). */
  counters(): DeviceCounters;
  /** Starts the peak memory over from the current usage (v1; v2 from Linux 6.12), e.g. before each run of a sweep. */
  resetPeak(): void;
}

let current: CurrentEmulation | null | undefined;

/** The emulation this process runs under (from EMULATION_ENV), or null when it runs unemulated. */
export function currentEmulation(): CurrentEmulation | null {
  if (current !== undefined) return current;
  const text = process.env[EMULATION_ENV];
  if (!text) return (current = null);
  let env: EmulationEnv;
  try {
    env = JSON.parse(text) as EmulationEnv;
    if (!env.cgroups?.memory || !env.spec) throw new Error("no spec or cgroups");
  } catch (error) {
    throw new EmulationError(`${EMULATION_ENV} is not an emulation description (${(error as Error).message})`, "E_EMULATE");
  }
  const { cgroups } = env;
  // v2 resets memory.peak per open file: the reset and later reads go through the same descriptor.
  let peakFd: number | undefined;
  current = {
    spec: env.spec,
    cgroupVersion: cgroups.version,
    devices: env.devices ?? [],
    counters() {
      const counters = readCounters(cgroups);
      if (peakFd !== undefined) {
        const buffer = new Uint8Array(64);
        const n = readSync(peakFd, buffer, 0, buffer.length, 0);
        counters.memoryPeakBytes = Number(new TextDecoder().decode(buffer.subarray(0, n)));
      }
      return counters;
    },
    resetPeak() {
      try {
        if (cgroups.version === 1) {
          writeFileSync(join(cgroups.memory, "memory.max_usage_in_bytes"), "0");
        } else {
          peakFd ??= openSync(join(cgroups.memory, "memory.peak"), "r+");
          writeSync(peakFd, "reset\n");
        }
      } catch (error) {
        if (peakFd !== undefined) closeSync(peakFd);
        peakFd = undefined;
        throw new EmulationError(`cannot reset the peak memory of ${cgroups.memory} (${errorCode(error)}; cgroup v2 needs Linux 6.12)`, "E_EMULATE");
      }
    },
  };
  return current;
}
