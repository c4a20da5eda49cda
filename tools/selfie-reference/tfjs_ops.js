// Runs a MediaPipe selfie (or BlazePose landmark) .tflite file with TensorFlow.js operators (NHWC, TensorFlow's own padding and resize
// rules), reading the FlatBuffer independently of MatteKit's C# reader: an operator-by-operator reference for the
// TFLite translation, including the custom Convolution2DTransposeBias that TFLite's own runtime lacks.
// Usage: node tfjs_ops.js MODEL.tflite INPUT.rgb OUTPUT.f32 [INDEX]: writes the model's output INDEX (default 0).
const tf = require('@tensorflow/tfjs');
const fs = require('fs');
const [modelPath, inputPath, outPath, outIndex] = process.argv.slice(2);
const b = fs.readFileSync(modelPath);
const u32 = o => b.readUInt32LE(o), i32 = o => b.readInt32LE(o);
function field(t, i) {
  const vt = t - i32(t), n = b.readUInt16LE(vt);
  if (4 + 2 * i >= n) return null;
  const off = b.readUInt16LE(vt + 4 + 2 * i);
  return off ? t + off : null;
}
const ref = o => o + u32(o);
function vec(t, i) { const f = field(t, i); if (f === null) return []; const v = ref(f), n = u32(v); return Array.from({ length: n }, (_, k) => v + 4 + 4 * k); }
const ints = (t, i) => vec(t, i).map(i32);
function bytes(t, i) { const f = field(t, i); if (f === null) return null; const v = ref(f); return b.subarray(v + 4, v + 4 + u32(v)); }
const int = (t, i, d) => { const f = field(t, i); return f === null ? d : i32(f); };
const byte = (t, i, d) => { const f = field(t, i); return f === null ? d : b[f]; };

const root = ref(0);
const codes = vec(root, 1).map(o => { const t = ref(o); const c = field(t, 3); return Math.max(byte(t, 0, 0) << 24 >> 24, c === null ? 0 : i32(c)); });
const buffers = vec(root, 4).map(o => bytes(ref(o), 0));
const sg = ref(vec(root, 2)[0]);
const tensors = vec(sg, 0).map(o => { const t = ref(o); return { shape: ints(t, 0), type: byte(t, 1, 0), buffer: int(t, 2, 0) }; });
const values = new Map();
function constant(k) {
  if (values.has(k)) return values.get(k);
  const t = tensors[k], data = buffers[t.buffer];
  let arr;
  if (t.type === 0) arr = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  else if (t.type === 1) { arr = new Float32Array(data.length / 2); for (let i = 0; i < arr.length; i++) arr[i] = half(data.readUInt16LE(2 * i)); }
  else if (t.type === 2) return Array.from(new Int32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)));
  return tf.tensor(arr, t.shape);
}
function half(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  return e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
}
const get = k => values.has(k) ? values.get(k) : constant(k);
const act = (y, a) => a === 0 ? y : a === 1 ? tf.relu(y) : a === 3 ? tf.relu6(y) : (() => { throw new Error('activation ' + a); })();
const pad = p => p === 0 ? 'same' : 'valid';

const input = ints(sg, 1)[0], output = ints(sg, 2)[Number(outIndex ?? 0)];
const [, H, W] = tensors[input].shape;
const rgb = fs.readFileSync(inputPath);
values.set(input, tf.tensor(Float32Array.from(rgb, v => v / 255), [1, H, W, 3]));
for (const o of vec(sg, 3)) {
  const op = ref(o), code = codes[int(op, 0, 0)], ins = ints(op, 1), outs = ints(op, 2);
  const f = field(op, 4), opt = f === null ? null : ref(f);
  let y;
  switch (code) {
    case 6: y = get(ins[0]); break; // DEQUANTIZE: float16 constants are widened on reading
    case 3: { // CONV_2D, kernel OHWI
      const k = tf.transpose(get(ins[1]), [1, 2, 3, 0]);
      y = act(tf.add(tf.conv2d(get(ins[0]), k, [int(opt, 2, 1), int(opt, 1, 1)], pad(byte(opt, 0, 0))), get(ins[2])), byte(opt, 3, 0));
      break;
    }
    case 4: { // DEPTHWISE_CONV_2D, kernel 1HWC
      const k = tf.expandDims(tf.squeeze(get(ins[1]), [0]), 3);
      y = act(tf.add(tf.depthwiseConv2d(get(ins[0]), k, [int(opt, 2, 1), int(opt, 1, 1)], pad(byte(opt, 0, 0))), get(ins[2])), byte(opt, 4, 0));
      break;
    }
    case 0: y = act(tf.add(get(ins[0]), get(ins[1])), opt === null ? 0 : byte(opt, 0, 0)); break;
    case 18: y = act(tf.mul(get(ins[0]), get(ins[1])), opt === null ? 0 : byte(opt, 0, 0)); break;
    case 19: y = tf.relu(get(ins[0])); break;
    case 117: { const x = get(ins[0]); y = tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)); break; }
    case 14: y = tf.sigmoid(get(ins[0])); break;
    case 1: y = tf.avgPool(get(ins[0]), [int(opt, 4, 1), int(opt, 3, 1)], [int(opt, 2, 1), int(opt, 1, 1)], pad(byte(opt, 0, 0))); break;
    case 40: y = tf.mean(get(ins[0]), constant(ins[1]), byte(opt, 0, 0) !== 0); break;
    case 23: y = tf.image.resizeBilinear(get(ins[0]), constant(ins[1]), byte(opt, 2, 0) !== 0, byte(opt, 3, 0) !== 0); break;
    case 32: { // Convolution2DTransposeBias: kernel OHWI, options {padding, stride_w, stride_h} as int32
      const raw = bytes(op, 5), sw = raw.readInt32LE(4), sh = raw.readInt32LE(8);
      const k = tf.transpose(get(ins[1]), [1, 2, 0, 3]); // [h, w, out, in]
      y = tf.add(tf.conv2dTranspose(get(ins[0]), k, tensors[outs[0]].shape, [sh, sw], raw.readInt32LE(0) === 1 ? 'same' : 'valid'), get(ins[2]));
      break;
    }
    case 34: { // PAD, constant int32 paddings [4, 2], zeros
      const p = constant(ins[1]);
      y = tf.pad(get(ins[0]), [[p[0], p[1]], [p[2], p[3]], [p[4], p[5]], [p[6], p[7]]]);
      break;
    }
    case 17: y = tf.maxPool(get(ins[0]), [int(opt, 4, 1), int(opt, 3, 1)], [int(opt, 2, 1), int(opt, 1, 1)], pad(byte(opt, 0, 0))); break; // MAX_POOL_2D
    case 22: y = tf.reshape(get(ins[0]), tensors[outs[0]].shape); break; // RESHAPE to the shape the file stores
    default: throw new Error('operator ' + code);
  }
  values.set(outs[0], y);
}
(async () => {
  const data = await values.get(output).data();
  fs.writeFileSync(outPath, Buffer.from(data.buffer));
  const centre = data.length === H * W ? (H >> 1) * W + (W >> 1) : 0; // a mask's centre, else the first value
  console.log(`${modelPath}: ${values.get(output).shape}, value ${centre} ${data[centre]}`);
})();
