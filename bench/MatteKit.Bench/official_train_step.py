"""Times the official RVM training step (model/ and train_loss.py of the official repository, given by --rvm) on
the same input as MatteKit's train-step benchmark: frames 0-3 of the synthetic clip cropped to 256x144 (x 128..383,
y 64..207), T=4, ratio 1, Adam at stage-1 rates, batch norm frozen or in train mode. Prints one line per repeat:
'seconds_per_step <float>'. Written for MatteKit's benchmark; it imports the official code, it does not contain it.
"""
import argparse, os, sys, time
import numpy as np
import torch
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument('--rvm', required=True)
ap.add_argument('--clip', required=True)
ap.add_argument('--weights', required=True)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--steps', type=int, default=10)
ap.add_argument('--warmup', type=int, default=3)
ap.add_argument('--repeats', type=int, default=3)
ap.add_argument('--bn', choices=['frozen', 'train'], default='frozen')
a = ap.parse_args()
sys.path.insert(0, a.rvm)
from model import MattingNetwork  # noqa: E402
from train_loss import matting_loss  # noqa: E402

torch.set_num_threads(a.threads)


def layer(name):
    out = []
    for i in range(4):
        im = np.asarray(Image.open(os.path.join(a.clip, name, f'{i:04d}.png')))
        if im.ndim == 2:
            im = im[:, :, None]
        out.append(torch.from_numpy(im[64:208, 128:384].astype(np.float32) / 255).permute(2, 0, 1))
    return torch.stack(out)[None]


src, fgr, pha = layer('com'), layer('fgr'), layer('pha')
m = MattingNetwork('mobilenetv3', refiner='fast_guided_filter')
m.load_state_dict(torch.load(a.weights, map_location='cpu'), strict=False)
m.train()
if a.bn == 'frozen':
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.eval()
groups = ['backbone', 'aspp', 'decoder', 'project_mat', 'project_seg', 'refiner']
rates = {'backbone': 1e-4, 'aspp': 2e-4, 'decoder': 2e-4, 'project_mat': 2e-4, 'project_seg': 2e-4, 'refiner': 0.0}
opt = torch.optim.Adam([{'params': getattr(m, g).parameters(), 'lr': rates[g]} for g in groups])


def step():
    opt.zero_grad(set_to_none=True)
    pf, pp = m(src)[:2]
    loss = matting_loss(pf, pp, fgr, pha)
    loss['total'].backward()
    opt.step()


for _ in range(a.warmup):
    step()
for _ in range(a.repeats):
    t = time.perf_counter()
    for _ in range(a.steps):
        step()
    print('seconds_per_step', (time.perf_counter() - t) / a.steps, flush=True)
