#!/usr/bin/env python3
"""Copies the compact subset of shared/reference that a fresh clone tests against (see README.md here).

usage: subset.py SHARED_REFERENCE_DIR OUT_DIR
Every file is copied byte for byte and checked against the sha256 of its manifest; the manifests keep
their tolerances and differences, list only the cases and frames kept, and say so in "subset".
"""
import hashlib, json, os, shutil, sys

KEEP = {
    # folder: {case: number of leading frames kept (None = all)}
    "rvm_mobilenetv3": {"a": 2, "c": None, "e": None, "f": None},
    "rvm_variants": {"a_seg_512x288": None, "b_seg_512x288": None},
}


def main(src_root, out_root):
    for folder, cases in KEEP.items():
        src, out = os.path.join(src_root, folder), os.path.join(out_root, folder)
        with open(os.path.join(src, "manifest.json")) as f:
            manifest = json.load(f)
        kept = []
        for case in manifest["cases"]:
            if case["name"] not in cases:
                continue
            count = cases[case["name"]]
            if count is not None:
                case["frames"] = case["frames"][:count]
            for frame in case["frames"]:
                for entry in frame["tensors"].values():
                    source = os.path.join(src, entry["file"])
                    with open(source, "rb") as f:
                        if hashlib.sha256(f.read()).hexdigest() != entry["sha256"]:
                            sys.exit(f"{source}: sha256 differs from the manifest")
                    target = os.path.join(out, entry["file"])
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copyfile(source, target)
            kept.append(case)
        manifest["cases"] = kept
        manifest["subset"] = {
            "of": f"shared/reference/{folder}/manifest.json",
            "kept": {name: ("all frames" if n is None else f"first {n} frames") for name, n in cases.items()},
        }
        with open(os.path.join(out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        shutil.copyfile(os.path.join(src, "README.md"), os.path.join(out, "README.md"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
