// The names the language accepts for zoo networks and policies. Kept free of imports so that the
// checker (lang/) can validate names without loading the zoo generator or the scheduler.

export const ZOO_NETWORKS = [
  "agenet",
  "gendernet",
  "facenet",
  "emotionnet",
  "memnet",
  "scenenet",
  "sos",
  "sos_googlenet",
  "objectnet",
  "tinyyolo",
] as const;
export type ZooNetwork = (typeof ZOO_NETWORKS)[number];

export const POLICIES = [
  "linear",
  "bulk",
  "multi-bulk",
  "partial",
  "deepeye",
  "deepeye-frugal",
  "execprio",
  "execprio-inter",
  "masa",
  "mema",
] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Device profiles shipped in stdlib/profiles (any profile file measured by `mema profile` also works). */
export const DEVICE_PROFILES = ["rpi4", "rpi4-zoo"] as const;
