#!/bin/sh
# Makes tests/MatteKit.Tests/Fixtures/pose/ again (see README.md). Needs node with npm, and the selfie fixture's
# input (tools/selfie-reference/make.sh makes it with ffmpeg).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/tests/MatteKit.Tests/Fixtures/pose"
model="$repo/models/blazepose_ghum/pose_landmark_lite.tflite"
input="$repo/tests/MatteKit.Tests/Fixtures/selfie/input_256x256.rgb"
mkdir -p "$out"
if [ -z "${NODE_PATH:-}" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm init -y >/dev/null && npm install --silent @tensorflow/tfjs@4.22.0 >/dev/null)
  export NODE_PATH="$work/node_modules"
fi
ops="$repo/tools/selfie-reference/tfjs_ops.js"
node "$ops" "$model" "$input" "$out/tfjs_ops_lite_landmarks.f32" 0
node "$ops" "$model" "$input" "$out/tfjs_ops_lite_flag.f32" 1
node "$ops" "$model" "$input" "$out/tfjs_ops_lite_segmentation.f32" 2
