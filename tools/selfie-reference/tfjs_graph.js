// Runs the TF.js graph of the general selfie model (selfie.json + selfie.bin) on raw RGB24 256x256 and writes the
// float32 probabilities. Usage: node tfjs_graph.js MODEL_DIR INPUT.rgb OUTPUT.f32
const tf = require('@tensorflow/tfjs');
const fs = require('fs');
(async () => {
  const [dir, input, out] = process.argv.slice(2);
  const json = JSON.parse(fs.readFileSync(dir + '/selfie.json'));
  const bin = fs.readFileSync(dir + '/selfie.bin');
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
  const rgb = fs.readFileSync(input);
  const x = tf.tensor(Float32Array.from(rgb, v => v / 255), [1, 256, 256, 3]);
  const data = await model.execute(x).data();
  fs.writeFileSync(out, Buffer.from(data.buffer));
  console.log(`tfjs ${tf.version.tfjs} (${tf.getBackend()}): centre ${data[128 * 256 + 128]}`);
})().catch(e => { console.error(e); process.exit(1); });
