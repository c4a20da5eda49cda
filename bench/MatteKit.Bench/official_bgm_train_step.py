"""Times the official BGMv2 training step (model/ of the official BackgroundMattingV2 repository, given by --bgm) on
the input tensors MatteKit's bgm-train-step benchmark writes (--inputs: raw float32 [2, C, H, W] src, bgr, pha, fgr):
--stage base: MattingBase('mobilenetv2') with train_base.py's loss and Adam groups (backbone 1e-4, aspp and
decoder 5e-4); --stage refine: MattingRefine('mobilenetv2', backbone_scale 0.25, refine_mode 'sampling',
80,000 sample pixels, as train_refine.py's defaults) with train_refine.py's loss and groups (backbone and aspp 5e-5,
decoder 1e-4, refiner 3e-4). Batch norm in train mode; fp32 (the official scripts' autocast is CUDA's, a no-op on a
CPU). The losses need kornia 0.4.1's sobel and resize: kornia041.py of MatteKit's shared reference tools (--kornia).
Prints one line per repeat: 'seconds_per_step <float>'. Written for MatteKit's benchmark; it imports the official
code, it does not contain it.
"""
import argparse, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--bgm', required=True)
ap.add_argument('--kornia', required=True)
ap.add_argument('--weights', required=True)
ap.add_argument('--inputs', required=True)
ap.add_argument('--stage', choices=['base', 'refine'], required=True)
ap.add_argument('--width', type=int, required=True)
ap.add_argument('--height', type=int, required=True)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--steps', type=int, default=10)
ap.add_argument('--warmup', type=int, default=3)
ap.add_argument('--repeats', type=int, default=3)
a = ap.parse_args()
sys.path.insert(0, a.kornia)
sys.path.insert(0, a.bgm)
import kornia041 as kornia  # noqa: E402
from model import MattingBase, MattingRefine  # noqa: E402

torch.set_num_threads(a.threads)


def read(name, channels):
    values = np.fromfile(os.path.join(a.inputs, name + '.bin'), dtype=np.float32)
    return torch.from_numpy(values.reshape(2, channels, a.height, a.width))


src, bgr, true_pha, true_fgr = read('src', 3), read('bgr', 3), read('pha', 1), read('fgr', 3)


def alpha_terms(pred_pha, pred_fgr, pha, fgr):
    # L1 and Sobel-gradient L1 on alpha, L1 on the foreground where the true alpha is not zero.
    mask = pha != 0
    return (F.l1_loss(pred_pha, pha) + F.l1_loss(kornia.sobel(pred_pha), kornia.sobel(pha))
            + F.l1_loss(pred_fgr * mask, fgr * mask))


def base_loss(pred_pha, pred_fgr, pred_err):
    return alpha_terms(pred_pha, pred_fgr, true_pha, true_fgr) + F.mse_loss(pred_err, (pred_pha.detach() - true_pha).abs())


def refine_loss(pha_lg, fgr_lg, pha_sm, fgr_sm, err_sm):
    size_sm, size_lg = pha_sm.shape[2:], true_pha.shape[2:]
    err = F.mse_loss(kornia.resize(err_sm, size_lg), kornia.resize(pha_sm, size_lg).sub(true_pha).abs())
    return (alpha_terms(pha_lg, fgr_lg, true_pha, true_fgr)
            + alpha_terms(pha_sm, fgr_sm, kornia.resize(true_pha, size_sm), kornia.resize(true_fgr, size_sm)) + err)


state = torch.load(a.weights, map_location='cpu')
if a.stage == 'base':
    model = MattingBase('mobilenetv2')
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith('refiner.')}, strict=True)
    groups = [('backbone', 1e-4), ('aspp', 5e-4), ('decoder', 5e-4)]
else:
    model = MattingRefine('mobilenetv2', backbone_scale=0.25, refine_mode='sampling', refine_sample_pixels=80_000)
    model.load_state_dict(state, strict=True)
    groups = [('backbone', 5e-5), ('aspp', 5e-5), ('decoder', 1e-4), ('refiner', 3e-4)]
model.train()
optimizer = torch.optim.Adam([{'params': getattr(model, g).parameters(), 'lr': lr} for g, lr in groups])


def step():
    if a.stage == 'base':
        loss = base_loss(*model(src, bgr)[:3])
    else:
        loss = refine_loss(*model(src, bgr)[:5])
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()


for _ in range(a.warmup):
    step()
for _ in range(a.repeats):
    t = time.perf_counter()
    for _ in range(a.steps):
        step()
    print('seconds_per_step', (time.perf_counter() - t) / a.steps, flush=True)
