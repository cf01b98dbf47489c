// The model zoo: EdgeCaffe's ten networks as ONNX replicas with seeded weights, generated into the cache on use.
export {
  ZOO_GENERATOR_VERSION,
  ZooError,
  caffeLayerOf,
  isZooName,
  zooGraph,
  zooInfo,
  zooModel,
  zooName,
  zooNodeFacts,
  type ZooInfo,
  type ZooNodeFacts,
  type ZooTensorInfo,
} from "./catalog.ts";
export { writeModelFile, zooCachePath, zooFingerprint, zooModelPath, type ZooProgress } from "./generate.ts";
export { ZOO_SPECS, type ZooNetworkSpec } from "./networks.ts";
