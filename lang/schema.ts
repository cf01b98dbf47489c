// JSON Schemas (draft-07): the compiled Plan (what `mema plan --json` prints) and the YAML/JSON form
// of a .mema document. `mema schema` prints both under one anyOf, so editors can check either file.
import { type Catalog, defaultCatalog } from "./catalog.ts";
import { MAX_ARRIVALS, MAX_DURATION_MS, MAX_PICK, MAX_SEED, MAX_SWEEP_RUNS, MAX_WORKERS } from "./limits.ts";

export type JsonSchema = Record<string, unknown>;

const SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#";
const nonNegativeInteger = { type: "integer", minimum: 0 };
const positiveInteger = { type: "integer", minimum: 1 };
const nonNegativeMs = { type: "number", minimum: 0, maximum: MAX_DURATION_MS };
// A compiled plan skips the checker: the bounds of lang/limits.ts are in its schema.
const arrivalCount = { type: "integer", minimum: 1, maximum: MAX_ARRIVALS };
const seedInteger = { type: "integer", minimum: 0, maximum: MAX_SEED };
const workerCount = { type: "integer", minimum: 1, maximum: MAX_WORKERS };

/** The Plan of lang/plan.ts. */
export function planSchema(catalog: Catalog = defaultCatalog): JsonSchema {
  const pick = {
    type: "object",
    required: ["count", "seed"],
    additionalProperties: false,
    properties: { count: { type: "integer", minimum: 1, maximum: MAX_PICK }, seed: seedInteger },
  };
  const arrival = (kind: string, properties: Record<string, unknown>) => ({
    type: "object",
    required: ["kind", ...Object.keys(properties)],
    additionalProperties: false,
    properties: { kind: { const: kind }, ...properties, pick },
  });
  return {
    $schema: SCHEMA_DRAFT,
    title: "mema plan",
    description: "A compiled mema plan: sizes in bytes, durations in ms, sources resolved, sweeps expanded into runs.",
    type: "object",
    required: ["version", "pipelines"],
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      version: { const: 1 },
      source: { type: "string" },
      pipelines: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "models", "arrivals", "sweep", "runs", "session"],
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1 },
            models: {
              type: "array",
              minItems: 1,
              items: {
                type: "object",
                required: ["name", "source", "shapes", "input"],
                additionalProperties: false,
                properties: {
                  name: { type: "string", minLength: 1 },
                  source: {
                    type: "object",
                    required: ["kind"],
                    discriminator: { propertyName: "kind" },
                    oneOf: [
                      {
                        type: "object",
                        required: ["kind", "network"],
                        additionalProperties: false,
                        properties: { kind: { const: "zoo" }, network: { type: "string", examples: [...catalog.networks] } },
                      },
                      {
                        type: "object",
                        required: ["kind", "path"],
                        additionalProperties: false,
                        properties: { kind: { const: "file" }, path: { type: "string", minLength: 1 } },
                      },
                    ],
                  },
                  shapes: { type: "object", additionalProperties: { type: "array", items: positiveInteger } },
                  input: {
                    type: "object",
                    required: ["kind"],
                    discriminator: { propertyName: "kind" },
                    oneOf: [
                      {
                        type: "object",
                        required: ["kind", "seed"],
                        additionalProperties: false,
                        properties: { kind: { const: "synthetic" }, seed: nonNegativeInteger },
                      },
                      {
                        type: "object",
                        required: ["kind", "path"],
                        additionalProperties: false,
                        properties: { kind: { const: "image" }, path: { type: "string", minLength: 1 } },
                      },
                    ],
                  },
                },
              },
            },
            arrivals: {
              type: "object",
              required: ["kind"],
              discriminator: { propertyName: "kind" },
              oneOf: [
                arrival("batch", { rounds: arrivalCount, gapMs: nonNegativeMs }),
                arrival("periodic", { count: arrivalCount, periodMs: nonNegativeMs }),
                arrival("normal", { count: arrivalCount, meanMs: nonNegativeMs, stddevMs: nonNegativeMs, seed: seedInteger }),
                arrival("poisson", { count: arrivalCount, meanMs: nonNegativeMs, seed: seedInteger }),
                arrival("times", { timesMs: { type: "array", minItems: 1, maxItems: MAX_ARRIVALS, items: nonNegativeMs } }),
              ],
            },
            sweep: {
              type: "object",
              required: ["memoryBytes", "policy", "workers"],
              additionalProperties: false,
              properties: {
                memoryBytes: { type: "array", minItems: 1, items: { type: ["integer", "null"], minimum: 1 } },
                policy: { type: "array", minItems: 1, items: { type: "string", examples: [...catalog.policies] } },
                workers: { type: "array", minItems: 1, items: workerCount },
              },
            },
            runs: {
              type: "array",
              minItems: 1,
              maxItems: MAX_SWEEP_RUNS,
              items: {
                type: "object",
                required: ["memoryBytes", "policy", "workers"],
                additionalProperties: false,
                properties: {
                  memoryBytes: { type: ["integer", "null"], minimum: 1 },
                  policy: { type: "string" },
                  workers: workerCount,
                },
              },
            },
            session: { type: "object", additionalProperties: { type: ["number", "string", "boolean"] } },
          },
        },
      },
    },
  };
}

/** The YAML/JSON form of a .mema document (see grammar.md, "YAML and JSON"). */
export function configSchema(catalog: Catalog = defaultCatalog): JsonSchema {
  const scalar = { type: ["string", "number", "boolean"] };
  const value = { anyOf: [scalar, { type: "array", items: scalar }] };
  const size = {
    type: ["string", "integer"],
    description: "A size with a unit (512MB, 1GiB; MB = 10^6 bytes, MiB = 2^20), 'unlimited', or a let name; a bare number is E_UNIT, as in .mema.",
    examples: ["512MB", "1GiB", "unlimited"],
  };
  const duration = { type: ["string", "number"], description: "A duration with a unit (100ms, 2s), a number of ms, or a let name." };
  const count = { type: ["string", "integer"], description: "A whole number, or a let name." };
  const oneOrList = (item: JsonSchema) => ({ anyOf: [item, { type: "array", items: item }] });
  const modelOptions = {
    shapes: { type: "object", additionalProperties: { type: "array", items: { type: "integer", minimum: 1 } } },
    input: { type: "string", description: "An image file fed to the model (default: a seeded synthetic tensor)." },
    seed: count,
  };
  const modelDeclaration = {
    type: "object",
    additionalProperties: false,
    required: ["from"],
    properties: { from: { type: "string", description: "A zoo network or declared model name, or a file path." }, ...modelOptions },
  };
  const pipeline = {
    type: "object",
    additionalProperties: false,
    required: ["models"],
    properties: {
      name: { type: "string" },
      models: {
        type: "array",
        items: {
          anyOf: [
            { type: "string", examples: [...catalog.networks] },
            {
              type: "object",
              additionalProperties: false,
              required: ["name"],
              properties: { name: { type: "string" }, from: { type: "string" }, ...modelOptions },
            },
          ],
        },
      },
      memory: oneOrList(size),
      policy: oneOrList({ type: "string", examples: [...catalog.policies] }),
      workers: oneOrList(count),
      arrivals: {
        type: "object",
        additionalProperties: false,
        required: ["kind"],
        properties: {
          kind: { enum: ["batch", "every", "normal", "poisson", "times"] },
          rounds: count,
          gap: duration,
          period: duration,
          mean: duration,
          sd: duration,
          count,
          seed: count,
          pick: count,
          times: { type: "array", items: duration },
        },
      },
      session: { type: "object", additionalProperties: { type: ["number", "string", "boolean"] } },
    },
  };
  return {
    $schema: SCHEMA_DRAFT,
    title: "mema document (YAML/JSON)",
    type: "object",
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      let: { type: "object", additionalProperties: value },
      models: { type: "object", additionalProperties: modelDeclaration },
      pipelines: { type: "array", items: pipeline },
      pipeline,
    },
  };
}

/** What `mema schema` prints: a plan or a document, either validates. */
export function memaSchema(catalog: Catalog = defaultCatalog): JsonSchema {
  const plan = planSchema(catalog);
  const config = configSchema(catalog);
  delete plan.$schema;
  delete config.$schema;
  return {
    $schema: SCHEMA_DRAFT,
    $id: "https://mema.dev/schema/mema.json",
    title: "mema plan or document",
    anyOf: [plan, config],
  };
}
