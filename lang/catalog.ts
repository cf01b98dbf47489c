// The names a document may use: zoo networks and policies. Passed in, so users can add their own.
import { POLICIES, ZOO_NETWORKS } from "../stdlib/names.ts";

export interface Catalog {
  networks: readonly string[];
  policies: readonly string[];
}

export const defaultCatalog: Catalog = { networks: ZOO_NETWORKS, policies: POLICIES };

/** The default catalog plus extra names (e.g. a user's own policy registered with the scheduler). */
export function extendCatalog(extra: Partial<Catalog>, base: Catalog = defaultCatalog): Catalog {
  return {
    networks: [...base.networks, ...(extra.networks ?? [])],
    policies: [...base.policies, ...(extra.policies ?? [])],
  };
}
