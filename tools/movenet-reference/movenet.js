// Runs MoveNet MultiPose's TF.js graph (models/movenet_multipose) with @tensorflow/tfjs on raw RGB24 256x256 and
// writes its final output [1, 6, 56] and its centre head [1, 64, 64, 1] (after the sigmoid) as float32.
// Usage: node movenet.js MODEL_DIR INPUT.rgb OUTPUT_PREFIX
const tf = require('@tensorflow/tfjs');
const fs = require('fs');
(async () => {
  const [dir, input, prefix] = process.argv.slice(2);
  const json = JSON.parse(fs.readFileSync(dir + '/movenet-multipose.json'));
  const bin = fs.readFileSync(dir + '/movenet-multipose.bin');
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
  const x = tf.tensor(Int32Array.from(fs.readFileSync(input)), [1, 256, 256, 3], 'int32');
  const [out, center] = model.execute(x, ['Identity', 'StatefulPartitionedCall/Sigmoid']);
  for (const [name, t] of [['output', out], ['center', center]])
    fs.writeFileSync(`${prefix}_${name}.f32`, Buffer.from((await t.data()).buffer));
  const o = await out.data();
  console.log(`tfjs ${tf.version.tfjs}: person scores ${Array.from({ length: 6 }, (_, p) => o[p * 56 + 55].toFixed(3)).join(' ')}`);
})().catch(e => { console.error(e); process.exit(1); });
