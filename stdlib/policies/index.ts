// The policies by name: EdgeCaffe's nine and ours. A user policy implements `Policy`
// (runtime/schedule/policy.ts) and is passed to `simulate` the same way.
import type { PolicyFactory } from "../../runtime/schedule/policy.ts";
import type { PolicyName } from "../names.ts";
import { bulk } from "./bulk.ts";
import { deepeye, deepeyeFrugal } from "./deepeye.ts";
import { execprio, execprioInter } from "./execprio.ts";
import { linear } from "./linear.ts";
import { masa } from "./masa.ts";
import { mema } from "./mema.ts";
import { multiBulk } from "./multi-bulk.ts";
import { partial } from "./partial.ts";

export type { Policy, PolicyContext, PolicyFactory, LaneSpec, Admission } from "../../runtime/schedule/policy.ts";

export const policies: Record<PolicyName, PolicyFactory> = {
  linear,
  bulk,
  "multi-bulk": multiBulk,
  partial,
  deepeye,
  "deepeye-frugal": deepeyeFrugal,
  execprio,
  "execprio-inter": execprioInter,
  masa,
  mema,
};

/** The policy called `name`, fresh for one run; undefined for an unknown name. */
export function policyByName(name: string): PolicyFactory | undefined {
  return Object.hasOwn(policies, name) ? policies[name as PolicyName] : undefined;
}
