// The ten EdgeCaffe networks, layer for layer as their Caffe prototxt defines them (names, shapes, strides, pads).
// Batch is 1 everywhere: a Mema arrival is one image (several prototxts declare 10; see `caffeBatch`).
import type { ZooNetwork } from "../names.ts";
import { CaffeNetBuilder, type ZooGraph } from "./caffe-builder.ts";

export interface ZooNetworkSpec {
  name: ZooNetwork;
  /** The EdgeCaffe folder name. */
  caffeName: string;
  /** Batch size in the prototxt (EdgeCaffe measured with it); the zoo model uses 1. */
  caffeBatch: number;
  task: "classification" | "regression" | "detection";
  /** Classes predicted (TinyYolo: COCO's 80, in 425 = 5 anchors x (80 + 5) channels per cell). */
  classes: number;
  /** Sum of the layers' `partialFileSize` in EdgeCaffe's description.yaml (bytes): the zoo's weights target. */
  edgecaffeWeightsBytes: number;
  build(): ZooGraph;
}

const LRN_ALEX = { size: 5, alpha: 0.0001, beta: 0.75 };

/** The Levi & Hassner age/gender CNN: conv1 7x7/4, no groups, three convolutions, 512-wide fc. */
function leviHassner(name: ZooNetwork, classes: number): ZooGraph {
  const b = new CaffeNetBuilder(name, "data", [1, 3, 227, 227]);
  let x = b.conv("conv1", "data", { out: 96, kernel: 7, stride: 4 });
  x = b.relu("relu1", x);
  x = b.maxPool("pool1", x, { kernel: 3, stride: 2 });
  x = b.lrn("norm1", x, LRN_ALEX);
  x = b.conv("conv2", x, { out: 256, kernel: 5, pad: 2 });
  x = b.relu("relu2", x);
  x = b.maxPool("pool2", x, { kernel: 3, stride: 2 });
  x = b.lrn("norm2", x, LRN_ALEX);
  x = b.conv("conv3", x, { out: 384, kernel: 3, pad: 1 });
  x = b.relu("relu3", x);
  x = b.maxPool("pool5", x, { kernel: 3, stride: 2 });
  x = b.fc("fc6", x, 512);
  x = b.relu("relu6", x);
  x = b.dropout("drop6", x);
  x = b.fc("fc7", x, 512);
  x = b.relu("relu7", x);
  x = b.dropout("drop7", x);
  x = b.fc("fc8", x, classes);
  return b.build(b.softmax("prob", x));
}

/** CaffeNet's feature extractor (conv1 11x11/4, grouped conv2/4/5), shared by FaceNet, MemNet, SceneNet and SoS. */
function caffeNetFeatures(b: CaffeNetBuilder): string {
  let x = b.conv("conv1", "data", { out: 96, kernel: 11, stride: 4 });
  x = b.relu("relu1", x);
  x = b.maxPool("pool1", x, { kernel: 3, stride: 2 });
  x = b.lrn("norm1", x, LRN_ALEX);
  x = b.conv("conv2", x, { out: 256, kernel: 5, pad: 2, group: 2 });
  x = b.relu("relu2", x);
  x = b.maxPool("pool2", x, { kernel: 3, stride: 2 });
  x = b.lrn("norm2", x, LRN_ALEX);
  x = b.conv("conv3", x, { out: 384, kernel: 3, pad: 1 });
  x = b.relu("relu3", x);
  x = b.conv("conv4", x, { out: 384, kernel: 3, pad: 1, group: 2 });
  x = b.relu("relu4", x);
  x = b.conv("conv5", x, { out: 256, kernel: 3, pad: 1, group: 2 });
  x = b.relu("relu5", x);
  return b.maxPool("pool5", x, { kernel: 3, stride: 2 });
}

/** CaffeNet's classifier head: fc6, fc7 (4096, ReLU, optional dropout), then the task's last layer. */
function caffeNetHead(b: CaffeNetBuilder, x: string, last: string, outputs: number, dropout: boolean): string {
  x = b.fc("fc6", x, 4096);
  x = b.relu("relu6", x);
  if (dropout) x = b.dropout("drop6", x);
  x = b.fc("fc7", x, 4096);
  x = b.relu("relu7", x);
  if (dropout) x = b.dropout("drop7", x);
  return b.fc(last, x, outputs);
}

function faceNet(): ZooGraph {
  // Fully convolutional CaffeNet: fc6-8 are convolutions, so the output is a 1x1 map of two face scores.
  const b = new CaffeNetBuilder("facenet", "data", [1, 3, 227, 227]);
  let x = caffeNetFeatures(b);
  x = b.conv("fc6-conv", x, { out: 4096, kernel: 6 });
  x = b.relu("relu6", x);
  x = b.dropout("drop6", x);
  x = b.conv("fc7-conv", x, { out: 4096, kernel: 1 });
  x = b.relu("relu7", x);
  x = b.dropout("drop7", x);
  x = b.conv("fc8-conv", x, { out: 2, kernel: 1 });
  return b.build(b.softmax("prob", x));
}

function emotionNet(): ZooGraph {
  // VGG_S-like: conv1 7x7/2, LRN before pool1, pool1 and pool5 3x3/3 (ceil mode gives 37 and 6).
  const b = new CaffeNetBuilder("emotionnet", "data", [1, 3, 224, 224]);
  let x = b.conv("conv1", "data", { out: 96, kernel: 7, stride: 2 });
  x = b.relu("relu1", x);
  x = b.lrn("norm1", x, { size: 5, alpha: 0.0005, beta: 0.75, k: 2 });
  x = b.maxPool("pool1", x, { kernel: 3, stride: 3 });
  x = b.conv("conv2", x, { out: 256, kernel: 5 });
  x = b.relu("relu2", x);
  x = b.maxPool("pool2", x, { kernel: 2, stride: 2 });
  x = b.conv("conv3", x, { out: 512, kernel: 3, pad: 1 });
  x = b.relu("relu3", x);
  x = b.conv("conv4", x, { out: 512, kernel: 3, pad: 1 });
  x = b.relu("relu4", x);
  x = b.conv("conv5", x, { out: 512, kernel: 3, pad: 1 });
  x = b.relu("relu5", x);
  x = b.maxPool("pool5", x, { kernel: 3, stride: 3 });
  x = caffeNetHead(b, x, "fc8_cat_e", 7, true);
  return b.build(b.softmax("prob", x));
}

function memNet(): ZooGraph {
  // Memorability regression: one output, no softmax.
  const b = new CaffeNetBuilder("memnet", "data", [1, 3, 227, 227]);
  const x = caffeNetHead(b, caffeNetFeatures(b), "fc8-euclidean", 1, true);
  return b.build(x);
}

function sceneNet(): ZooGraph {
  // Places205-CNN.
  const b = new CaffeNetBuilder("scenenet", "data", [1, 3, 227, 227]);
  const x = caffeNetHead(b, caffeNetFeatures(b), "fc8", 205, true);
  return b.build(b.softmax("prob", x));
}

function sos(): ZooGraph {
  // Salient object subitizing (AlexNet): no dropout layers in its deploy prototxt.
  const b = new CaffeNetBuilder("sos", "data", [1, 3, 227, 227]);
  const x = caffeNetHead(b, caffeNetFeatures(b), "fc8_sbt", 5, false);
  return b.build(b.softmax("prob", x));
}

function objectNet(): ZooGraph {
  // VGG-19 (input 224 as in the prototxt; description.yaml's input-scale says 227, but fc6 needs 7x7).
  const b = new CaffeNetBuilder("objectnet", "data", [1, 3, 224, 224]);
  let x = "data";
  const stages: [number, number][] = [[64, 2], [128, 2], [256, 4], [512, 4], [512, 4]];
  stages.forEach(([channels, convs], s) => {
    for (let i = 1; i <= convs; i++) {
      x = b.conv(`conv${s + 1}_${i}`, x, { out: channels, kernel: 3, pad: 1 });
      x = b.relu(`relu${s + 1}_${i}`, x);
    }
    x = b.maxPool(`pool${s + 1}`, x, { kernel: 2, stride: 2 });
  });
  x = caffeNetHead(b, x, "fc8", 1000, true);
  return b.build(b.softmax("prob", x));
}

function tinyYolo(): ZooGraph {
  // Tiny YOLO v2 (COCO): conv (no bias) + BatchNorm + Scale + leaky ReLU 0.1. pool6 is 2x2/1 without padding,
  // so Caffe's ceil mode turns 13x13 into 12x12 (darknet pads it to keep 13).
  const b = new CaffeNetBuilder("tinyyolo", "data", [1, 3, 416, 416]);
  let x = "data";
  const widths = [16, 32, 64, 128, 256, 512, 1024, 1024];
  widths.forEach((out, i) => {
    const n = i + 1;
    x = b.conv(`conv${n}`, x, { out, kernel: 3, pad: 1, bias: false });
    x = b.batchNorm(`conv${n}_bn`, x);
    x = b.scale(`conv${n}_scale`, x);
    x = b.relu(`relu${n}`, x, 0.1);
    if (n <= 5) x = b.maxPool(`pool${n}`, x, { kernel: 2, stride: 2 });
    if (n === 6) x = b.maxPool("pool6", x, { kernel: 2, stride: 1 });
  });
  return b.build(b.conv("conv9", x, { out: 425, kernel: 1 }));
}

/** GoogLeNet inception module widths: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection. */
type InceptionWidths = [number, number, number, number, number, number];

function inception(b: CaffeNetBuilder, name: string, x: string, w: InceptionWidths): string {
  const [c1, r3, c3, r5, c5, pp] = w;
  const one = b.relu(`${name}/relu_1x1`, b.conv(`${name}/1x1`, x, { out: c1, kernel: 1 }));
  let three = b.relu(`${name}/relu_3x3_reduce`, b.conv(`${name}/3x3_reduce`, x, { out: r3, kernel: 1 }));
  three = b.relu(`${name}/relu_3x3`, b.conv(`${name}/3x3`, three, { out: c3, kernel: 3, pad: 1 }));
  let five = b.relu(`${name}/relu_5x5_reduce`, b.conv(`${name}/5x5_reduce`, x, { out: r5, kernel: 1 }));
  five = b.relu(`${name}/relu_5x5`, b.conv(`${name}/5x5`, five, { out: c5, kernel: 5, pad: 2 }));
  const pool = b.maxPool(`${name}/pool`, x, { kernel: 3, stride: 1, pad: 1 });
  const proj = b.relu(`${name}/relu_pool_proj`, b.conv(`${name}/pool_proj`, pool, { out: pp, kernel: 1 }));
  return b.concat(`${name}/output`, [one, three, five, proj]);
}

function sosGoogleNet(): ZooGraph {
  // BVLC GoogLeNet with a 5-way subitizing classifier; the auxiliary classifiers are not in the deploy net.
  const b = new CaffeNetBuilder("sos_googlenet", "data", [1, 3, 224, 224]);
  let x = b.relu("conv1/relu_7x7", b.conv("conv1/7x7_s2", "data", { out: 64, kernel: 7, stride: 2, pad: 3 }));
  x = b.maxPool("pool1/3x3_s2", x, { kernel: 3, stride: 2 });
  x = b.lrn("pool1/norm1", x, LRN_ALEX);
  x = b.relu("conv2/relu_3x3_reduce", b.conv("conv2/3x3_reduce", x, { out: 64, kernel: 1 }));
  x = b.relu("conv2/relu_3x3", b.conv("conv2/3x3", x, { out: 192, kernel: 3, pad: 1 }));
  x = b.lrn("conv2/norm2", x, LRN_ALEX);
  x = b.maxPool("pool2/3x3_s2", x, { kernel: 3, stride: 2 });
  x = inception(b, "inception_3a", x, [64, 96, 128, 16, 32, 32]);
  x = inception(b, "inception_3b", x, [128, 128, 192, 32, 96, 64]);
  x = b.maxPool("pool3/3x3_s2", x, { kernel: 3, stride: 2 });
  x = inception(b, "inception_4a", x, [192, 96, 208, 16, 48, 64]);
  x = inception(b, "inception_4b", x, [160, 112, 224, 24, 64, 64]);
  x = inception(b, "inception_4c", x, [128, 128, 256, 24, 64, 64]);
  x = inception(b, "inception_4d", x, [112, 144, 288, 32, 64, 64]);
  x = inception(b, "inception_4e", x, [256, 160, 320, 32, 128, 128]);
  x = b.maxPool("pool4/3x3_s2", x, { kernel: 3, stride: 2 });
  x = inception(b, "inception_5a", x, [256, 160, 320, 32, 128, 128]);
  x = inception(b, "inception_5b", x, [384, 192, 384, 48, 128, 128]);
  x = b.avePool("pool5/7x7_s1", x, { kernel: 7, stride: 1 });
  x = b.dropout("pool5/drop_7x7_s1", x);
  x = b.fc("loss3/classifier-sos", x, 5);
  return b.build(b.softmax("loss3/loss3", x));
}

/** In the order of stdlib/names.ts. Weight targets: Σ partialFileSize per network, copied from description.yaml. */
export const ZOO_SPECS: readonly ZooNetworkSpec[] = [
  { name: "agenet", caffeName: "AgeNet", caffeBatch: 1, task: "classification", classes: 8, edgecaffeWeightsBytes: 45_661_690, build: () => leviHassner("agenet", 8) },
  { name: "gendernet", caffeName: "GenderNet", caffeBatch: 10, task: "classification", classes: 2, edgecaffeWeightsBytes: 45_649_438, build: () => leviHassner("gendernet", 2) },
  { name: "facenet", caffeName: "FaceNet", caffeBatch: 1, task: "classification", classes: 2, edgecaffeWeightsBytes: 227_507_357, build: faceNet },
  { name: "emotionnet", caffeName: "EmotionNet", caffeBatch: 1, task: "classification", classes: 7, edgecaffeWeightsBytes: 395_362_942, build: emotionNet },
  { name: "memnet", caffeName: "MemNet", caffeBatch: 10, task: "regression", classes: 1, edgecaffeWeightsBytes: 227_491_136, build: memNet },
  { name: "scenenet", caffeName: "SceneNet", caffeBatch: 10, task: "classification", classes: 205, edgecaffeWeightsBytes: 230_834_816, build: sceneNet },
  { name: "sos", caffeName: "SoS", caffeBatch: 1, task: "classification", classes: 5, edgecaffeWeightsBytes: 227_556_805, build: sos },
  { name: "sos_googlenet", caffeName: "SoS_GoogleNet", caffeBatch: 10, task: "classification", classes: 5, edgecaffeWeightsBytes: 23_937_899, build: sosGoogleNet },
  { name: "objectnet", caffeName: "ObjectNet", caffeBatch: 10, task: "classification", classes: 1000, edgecaffeWeightsBytes: 574_672_244, build: objectNet },
  { name: "tinyyolo", caffeName: "TinyYolo", caffeBatch: 1, task: "detection", classes: 80, edgecaffeWeightsBytes: 64_704_948, build: tinyYolo },
];
