#!/usr/bin/python3
"""Trains a backbone on a neurolive dataset: float pre-training, then QAT with
the converter's exact arithmetic, then ONNX export (export.py).

  /usr/bin/python3 training/train.py --data DIR --work DIR --task gesture [--epochs N] [--qat-epochs M] [--tiny]

Resumable: a checkpoint per epoch in --work (float.pt, qat.pt); a rerun
with the same settings and dataset (config.json) continues where it stopped,
one with other settings starts over. Progress goes to stdout as JSON lines
({"event": "progress"|"epoch"|"phase"|"done", ...}); the orchestrator
(training/run.ts) draws them as a progress bar.

Writes into --work: model.onnx, result.json (float and QAT accuracies on the
test split, training parameters), check-x.npy + check-layer<i>.npy (inputs and
the QAT simulation's integer outputs per layer, HWC-flattened, which the
NSoC runtime must reproduce).
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import Concat, Dataset, batches, to_nchw  # noqa: E402
from models import FloatNet, QatNet, calibrate_steps, default_arch, to_qat  # noqa: E402
from export import export_onnx, write_check  # noqa: E402


def emit(**kv):
    sys.stdout.write(json.dumps(kv) + '\n')
    sys.stdout.flush()


# Settings that may differ between a run and its resumption: more epochs stretch the schedule (run_phase),
# the thread count does not change what is learned, and the dataset is known by its meta.json, not its path.
RESUMABLE_DIFFERENCES = ('epochs', 'qat_epochs', 'work', 'threads', 'data')


def guard_checkpoints(args):
    """Keeps the checkpoints in --work only if they come from the same settings and dataset; otherwise
    deletes them (and says which settings differ), so that a rerun never continues another run's network."""
    config = {k: v for k, v in sorted(vars(args).items()) if k not in RESUMABLE_DIFFERENCES}
    with open(os.path.join(args.data, 'meta.json'), 'rb') as f:
        config['dataset'] = hashlib.sha256(f.read()).hexdigest()
    path = os.path.join(args.work, 'config.json')
    previous = None
    if os.path.exists(path):
        with open(path) as f:
            previous = json.load(f)
    checkpoints = [os.path.join(args.work, n) for n in ('float.pt', 'qat.pt') if os.path.exists(os.path.join(args.work, n))]
    if checkpoints and previous != config:
        differs = sorted(k for k in set(config) | set(previous) if previous.get(k) != config.get(k)) if previous else ['no config.json beside them']
        emit(event='restart', differs=differs)
        for c in checkpoints:
            os.remove(c)
    with open(path + '.tmp', 'w') as f:
        json.dump(config, f, indent=1)
    os.replace(path + '.tmp', path)


class AuxHeads(nn.Module):
    """Training-only heads when the dataset has auxiliary classes (meta.auxClasses, the 'aux' split): a CosFace
    term and a linear softmax head, both over the backbone classes followed by the aux classes, on the
    embedding. They make the embedding separate many more motions (or words) than the backbone outputs; the
    exported network keeps only its backbone classifier, so the converter and the NSoC never see them."""

    def __init__(self, dim, classes, aux_weight):
        super().__init__()
        self.cos = CosFace(dim, classes)
        self.fc = nn.Linear(dim, classes)
        self.aux_weight = aux_weight

    def forward(self, e, y, metric_weight):
        return metric_weight * self.cos(e, y) + self.aux_weight * F.cross_entropy(self.fc(e), y, label_smoothing=0.05)


class CosFace(nn.Module):
    """Cosine-margin head on the embedding (training only, not exported): pulls a class's embeddings
    together and pushes classes apart in angle, so nearest-prototype learners separate unseen classes."""

    def __init__(self, dim, classes, s=10.0, m=0.2):
        super().__init__()
        self.w = nn.Parameter(torch.randn(classes, dim) * 0.1)
        self.s, self.m = s, m

    def forward(self, e, y):
        cos = F.normalize(e, dim=1) @ F.normalize(self.w, dim=1).t()
        logits = self.s * (cos - self.m * F.one_hot(y, cos.shape[1]))
        return F.cross_entropy(logits, y)


SHIFT = {'gesture': 5}
ZOOM = {'gesture': 0.15}
WARP = 0.15
AUGMENT = {
    'gesture': 'per sample zoom ×0.85–1.15 and shift ±5 px (70 % of batches), 10 % event deletion (half of the batches)',
    'keywords': 'per sample: channel-axis warp ×0.85–1.15, time stretch ×0.85–1.15, shift ±3 rows, count gain ×0.7–1.3, 10 % event deletion (80 % of batches)',
}


def augment_description(task):
    if task != 'keywords' or AUDIO == {'time_shift': 3, 'time_stretch': 0.15, 'mix_same': 0.0, 'tilt': 0.0}:
        return AUGMENT.get(task, '')
    a = AUDIO
    extra = []
    if a['mix_same'] > 0:
        extra.append(f"same-class mixup by event thinning on {a['mix_same']:.0%} of samples")
    if a['tilt'] > 0:
        extra.append(f"random spectral tilt on {a['tilt']:.0%} of samples")
    return (f"per sample: channel-axis warp ×0.85–1.15, time stretch ×{1 - a['time_stretch']:.2f}–{1 + a['time_stretch']:.2f} about the middle row, "
            f"shift ±{a['time_shift']} rows, count gain ×0.7–1.3, 10 % event deletion (80 % of batches)" + ''.join('; ' + e for e in extra))


def warp_index(n_out, n_in, scale, offset):
    """Nearest-neighbour source indices of a stretched axis, per sample ([B, n_out]; -1 = outside)."""
    pos = torch.arange(n_out, dtype=torch.float32)[None, :]
    src = torch.round((pos - offset[:, None]) / scale[:, None])
    src[(src < 0) | (src >= n_in)] = -1
    return src.long()


# keywords augmentation knobs (train.py --time-shift/--time-stretch/--mix-same/--tilt); the defaults are
# the shipped model's. Set once in main() from the arguments.
AUDIO = {'time_shift': 3, 'time_stretch': 0.15, 'mix_same': 0.0, 'tilt': 0.0}


def augment_audio(x, rng):
    """Cochlea frames (N, P, time rows, channels): per-sample vocal-tract-length-style warp of the
    channel axis (×0.85–1.15 about the middle channel — a different voice), time stretch (×0.85–1.15)
    and shift (±3 rows), event-count gain (×0.7–1.3) and 10 % event deletion. The synthesizer held
    out for evaluation (flite) differs from espeak-ng exactly in such ways. With a non-default
    AUDIO['time_stretch'] the stretch is about the middle row (the default keeps the shipped one, about row 0);
    AUDIO['tilt'] > 0: that fraction of samples also gets a random spectral tilt (events thinned with a
    keep-probability falling linearly from 1 at channel 0 to 0.4–1 at the top channel — flite's voices
    carry less high-frequency energy than espeak-ng's)."""
    n, c, h, w = x.shape
    g = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    fw = 1 - WARP + 2 * WARP * torch.rand(n, generator=g)
    stretch, shift_max = AUDIO['time_stretch'], AUDIO['time_shift']
    ts = 1 - stretch + 2 * stretch * torch.rand(n, generator=g)
    shift = torch.randint(-shift_max, shift_max + 1, (n,), generator=g).float()
    ci = warp_index(w, w, fw, (w / 2) * (1 - fw))
    ti = warp_index(h, h, ts, shift if stretch == 0.15 else (h / 2) * (1 - ts) + shift)
    pad = torch.cat([x, torch.zeros(n, c, h, 1)], dim=3)
    pad = torch.cat([pad, torch.zeros(n, c, 1, w + 1)], dim=2)  # index -1 → the zero row / column
    bi = torch.arange(n)[:, None, None, None]
    chi = torch.arange(c)[None, :, None, None]
    out = pad[bi, chi, ti[:, None, :, None], ci[:, None, None, :]]
    gain = 0.7 + 0.6 * torch.rand(n, 1, 1, 1, generator=g)
    out = torch.clamp(torch.round(out * gain), 0, 15)
    keep = torch.rand(out.shape, generator=g) >= 0.1
    out = out * keep
    if AUDIO['tilt'] > 0:
        sel = torch.rand(n, 1, generator=g) < AUDIO['tilt']
        top = 0.4 + 0.6 * torch.rand(n, 1, generator=g)
        ch = torch.arange(w, dtype=torch.float32)[None, :]
        p = torch.where(sel, 1 - (1 - top) * ch / (w - 1), torch.ones(n, w))
        out = torch.binomial(out, p[:, None, None, :].expand_as(out).contiguous(), generator=g)
    return out


def mix_same_class(x, y, rng, frac):
    """Same-class mixup by event thinning, on a fraction frac of the samples: keep λ (0.3–0.7) of a
    sample's events and 1 − λ of another same-class sample's from the batch (mostly another voice),
    so the net sees word shapes between voices."""
    n = len(y)
    g = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    perm = torch.arange(n)
    for cls in y.unique():
        idx = (y == cls).nonzero()[:, 0]
        perm[idx] = idx[torch.randperm(len(idx), generator=g)]
    lam = (0.3 + 0.4 * torch.rand(n, 1, 1, 1, generator=g)).expand_as(x).contiguous()
    sel = (torch.rand(n, generator=g) < frac)[:, None, None, None]
    m = torch.binomial(x, lam, generator=g) + torch.binomial(x[perm], 1 - lam, generator=g)
    return torch.where(sel, torch.clamp(m, 0, 15), x)


def zoom_shift(x, rng, zoom, shift):
    """Per sample: scale about the centre (×1±zoom — a taller or shorter subject, nearer or farther)
    and shift (±shift px), nearest neighbour, zero outside."""
    n, c, h, w = x.shape
    g = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    z = 1 - zoom + 2 * zoom * torch.rand(n, generator=g)
    dy = torch.randint(-shift, shift + 1, (n,), generator=g).float()
    dx = torch.randint(-shift, shift + 1, (n,), generator=g).float()
    yi = warp_index(h, h, z, (h / 2) * (1 - z) + dy)
    xi = warp_index(w, w, z, (w / 2) * (1 - z) + dx)
    pad = torch.cat([x, torch.zeros(n, c, h, 1)], dim=3)
    pad = torch.cat([pad, torch.zeros(n, c, 1, w + 1)], dim=2)
    bi = torch.arange(n)[:, None, None, None]
    chi = torch.arange(c)[None, :, None, None]
    return pad[bi, chi, yi[:, None, :, None], xi[:, None, None, :]]


def augment(x, rng, task):
    """Random shifts with zero fill (gesture: ±5 px in x and y — subjects stand in different places),
    and random deletion of 10 % of the events; keywords: augment_audio."""
    if task == 'keywords':
        return augment_audio(x, rng) if rng.random() < 0.8 else x
    if rng.random() < 0.5:
        x = x * (torch.rand(x.shape) >= 0.1)
    if rng.random() < 0.3:
        return x
    if task in ZOOM:
        return zoom_shift(x, rng, ZOOM[task], SHIFT.get(task, 3))
    out = torch.zeros_like(x)
    m = SHIFT.get(task, 3)
    dy = int(rng.integers(-m, m + 1))
    dx = int(rng.integers(-m, m + 1))
    h, w = x.shape[2], x.shape[3]
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[:, :, yd, xd] = x[:, :, ys, xs]
    return out


@torch.no_grad()
def evaluate(net, x, y, batch, qat):
    net.eval()
    correct = 0
    n = 0
    events = None
    sizes = None
    for xb, yb in batches(x, y, batch):
        if qat:
            scores, _, outs, _ = net(xb)
            nz = [float((o != 0).float().sum()) for o in outs]
            if events is None:
                events = [0.0] * len(outs)
                sizes = [o[0].numel() for o in outs]
            for i, v in enumerate(nz):
                events[i] += v
        else:
            scores, _, _ = net(xb)
        correct += int((scores.argmax(1) == yb).sum())
        n += len(yb)
    acc = correct / max(1, n)
    if qat and events is not None:
        sparsity = [1 - e / (s * n) for e, s in zip(events, sizes)]
        return acc, sparsity
    return acc, None


def distill_loss(student, teacher, temperature=2.0):
    """Hinton's soft-target loss: KL(teacher ‖ student) at temperature T, scaled by T² (gradients as large as the hard loss's)."""
    t = temperature
    return F.kl_div(F.log_softmax(student / t, dim=1), F.softmax(teacher / t, dim=1), reduction='batchmean') * t * t


def run_phase(name, net, head, x, y, vx, vy, args, epochs, ckpt_path, lr, l1_weight, qat, rng_seed, teacher=None):
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, epochs))
    start = 0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        net.load_state_dict(ck['model'])
        head.load_state_dict(ck['head'])
        opt.load_state_dict(ck['opt'])
        sched.load_state_dict(ck['sched'])
        sched.T_max = max(1, epochs)  # a rerun with more --epochs stretches the schedule instead of restarting it
        start = ck['epoch']
        emit(event='resume', phase=name, epoch=start)
    limit = args.max_train
    n = len(y) if limit is None else min(len(y), limit)
    per_epoch = (n + args.batch - 1) // args.batch
    for epoch in range(start, epochs):
        net.train()
        rng = np.random.default_rng(rng_seed + epoch)
        t0 = time.time()
        tot, seen, correct = 0.0, 0, 0
        for b, (xb, yb) in enumerate(batches(x, y, args.batch, rng=rng, limit=limit)):
            if args.task == 'keywords' and AUDIO['mix_same'] > 0:
                xb = mix_same_class(xb, yb, rng, AUDIO['mix_same'])
            xb = augment(xb, rng, args.task)
            if qat:
                scores, emb, _, l1 = net(xb)
                emb_f = emb
            else:
                scores, emb_f, acts = net(xb)
                l1 = sum(a.mean() for a in acts) / len(acts)
            n_cls = scores.shape[1]
            if isinstance(head, AuxHeads):
                # rows of aux classes (labels ≥ the backbone classes) train only the embedding and the aux heads
                bb = yb < n_cls
                ce = F.cross_entropy(scores[bb], yb[bb], label_smoothing=0.05) if bool(bb.any()) else scores.sum() * 0
                loss = ce + head(emb_f, yb, args.metric_weight) + l1_weight * l1
                if teacher is not None and bool(bb.any()):
                    with torch.no_grad():
                        t_scores = teacher(xb)[0]
                    loss = loss + args.qat_distill * distill_loss(scores[bb], t_scores[bb])
            else:
                bb = torch.ones_like(yb, dtype=torch.bool)
                loss = F.cross_entropy(scores, yb, label_smoothing=0.05) + args.metric_weight * head(emb_f, yb) + l1_weight * l1
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss) * len(yb)
            seen += int(bb.sum())
            correct += int((scores[bb].argmax(1) == yb[bb]).sum())
            emit(event='progress', phase=name, epoch=epoch + 1, epochs=epochs, batch=b + 1, batches=per_epoch, loss=round(tot / seen, 4))
        sched.step()
        val_acc, sp = evaluate(net, vx, vy, args.batch, qat)
        emit(event='epoch', phase=name, epoch=epoch + 1, epochs=epochs, loss=round(tot / max(1, seen), 4), trainAcc=round(correct / max(1, seen), 4),
             valAcc=round(val_acc, 4), sparsity=None if sp is None else [round(s, 3) for s in sp], seconds=round(time.time() - t0, 1))
        torch.save({'model': net.state_dict(), 'head': head.state_dict(), 'opt': opt.state_dict(), 'sched': sched.state_dict(), 'epoch': epoch + 1}, ckpt_path + '.tmp')
        os.replace(ckpt_path + '.tmp', ckpt_path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--task', required=True)
    ap.add_argument('--epochs', type=int, default=12, help='float pre-training epochs')
    ap.add_argument('--qat-epochs', type=int, default=6)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--qat-lr', type=float, default=5e-4)
    ap.add_argument('--l1', type=float, default=0.15, help='activity L1 weight (float phase: mean ReLU output)')
    ap.add_argument('--qat-l1', type=float, default=2.0, help='activity L1 weight (QAT: mean activation level / 15)')
    ap.add_argument('--weight-decay', type=float, default=5e-4)
    ap.add_argument('--metric-weight', type=float, default=0.3)
    ap.add_argument('--qat-distill', type=float, default=0.0,
                    help='QAT: weight of a distillation loss from the float network (soft targets, T = 2); 0: none')
    ap.add_argument('--max-train', type=int, default=None, help='samples per epoch (default all)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--tiny', action='store_true', help='a few steps: the smoke pipeline')
    ap.add_argument('--embedding', type=int, default=None)
    ap.add_argument('--widths', default=None, help='convolution widths, comma-separated (default: the task\'s; strides stay the task\'s)')
    ap.add_argument('--aux-weight', type=float, default=1.0,
                    help="weight of the auxiliary-class softmax head when the dataset has aux classes (meta.auxClasses, split 'aux'); 0 ignores them")
    ap.add_argument('--aux-classes', type=int, default=None, help='use only the first N aux classes')
    ap.add_argument('--extra-train', action='append', default=[],
                    help="another split of backbone-class samples to train on with 'train' (e.g. festival: a second training synthesizer); repeatable")
    ap.add_argument('--time-shift', type=int, default=3, help='keywords: time shift ±N rows')
    ap.add_argument('--time-stretch', type=float, default=0.15, help='keywords: time stretch ×(1±F)')
    ap.add_argument('--mix-same', type=float, default=0.0, help='keywords: fraction of samples mixed with a same-class sample')
    ap.add_argument('--tilt', type=float, default=0.0, help='keywords: fraction of samples with a random spectral tilt')
    args = ap.parse_args()
    AUDIO.update(time_shift=args.time_shift, time_stretch=args.time_stretch, mix_same=args.mix_same, tilt=args.tilt)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    guard_checkpoints(args)
    ds = Dataset(args.data)
    x, y, _ = ds.split('train')
    for extra in args.extra_train:
        ex, ey, _ = ds.split(extra)
        x, y = Concat(x, ex), np.concatenate([y, ey])
    vx, vy, _ = ds.split('val') if 'val' in ds.meta['splits'] else (x, y, None)
    tx, ty, _ = ds.split('test') if 'test' in ds.meta['splits'] else (vx, vy, None)
    shape = ds.input_shape
    classes = len(ds.backbone)
    ax, ay = ds.aux_split(args.aux_classes) if args.aux_weight > 0 else (None, np.zeros(0, dtype=np.int64))
    n_aux = 0 if ax is None else int(ay.max()) + 1 if len(ay) else 0
    backbone_train = len(y)
    if n_aux > 0:
        # one training set: backbone rows keep their labels, aux rows follow as classes + aux index
        x, y = Concat(x, ax), np.concatenate([y, classes + ay])
    arch = default_arch(args.task, shape)
    if args.tiny:
        arch = {'convs': [[8, 2], [8, 2], [16, 2], [16, 2]], 'embedding': 32}
    if args.embedding:
        arch['embedding'] = args.embedding
    if args.widths:
        widths = [int(w) for w in args.widths.split(',')]
        if len(widths) != len(arch['convs']):
            raise SystemExit(f"--widths needs {len(arch['convs'])} values")
        arch['convs'] = [[w, s] for w, (_, s) in zip(widths, arch['convs'])]
    emit(event='phase', phase='setup', inputShape=list(shape), classes=classes, train=backbone_train, val=len(vy), test=len(ty), arch=arch, auxClasses=n_aux, auxSamples=int(len(ay)) if n_aux else 0)

    fnet = FloatNet(shape, classes, arch)
    head = AuxHeads(arch['embedding'], classes + n_aux, args.aux_weight) if n_aux > 0 else CosFace(arch['embedding'], classes)
    run_phase('float', fnet, head, x, y, vx, vy, args, args.epochs, os.path.join(args.work, 'float.pt'), args.lr, args.l1, False, args.seed * 1000)
    float_acc, _ = evaluate(fnet, tx, ty, args.batch, False)
    float_val, _ = evaluate(fnet, vx, vy, args.batch, False)

    qnet = to_qat(fnet, classes)
    qpath = os.path.join(args.work, 'qat.pt')
    if not os.path.exists(qpath):
        calib = [xb for xb, _ in batches(x, y, args.batch, rng=np.random.default_rng(7), limit=args.batch * 8)]
        calibrate_steps(fnet, qnet, calib)
    qhead = AuxHeads(arch['embedding'], classes + n_aux, args.aux_weight) if n_aux > 0 else CosFace(arch['embedding'], classes)
    qhead.load_state_dict(head.state_dict())
    teacher = fnet.eval() if args.qat_distill > 0 else None
    run_phase('qat', qnet, qhead, x, y, vx, vy, args, args.qat_epochs, qpath, args.qat_lr, args.qat_l1, True, args.seed * 1000 + 500, teacher)
    qat_acc, sparsity = evaluate(qnet, tx, ty, args.batch, True)

    export_onnx(qnet, shape, os.path.join(args.work, 'model.onnx'))
    write_check(qnet, tx, args.work, n=8)
    result = {
        'task': args.task,
        'inputShape': list(shape),
        'labels': ds.backbone,
        'heldOut': ds.held_out,
        'floatAccuracy': float_acc,
        'floatValAccuracy': float_val,
        'qatAccuracy': qat_acc,
        'qatLayerSparsity': sparsity,
        'testCount': int(len(ty)),
        'embeddingLayer': qnet.embedding_index,
        'embeddingSize': arch['embedding'],
        'training': {
            'arch': arch, 'floatEpochs': args.epochs, 'qatEpochs': args.qat_epochs, 'batch': args.batch, 'lr': args.lr, 'qatLr': args.qat_lr,
            'activityL1': args.l1, 'qatActivityL1': args.qat_l1, **({'qatDistillation': f'KL to the float network at T = 2, weight {args.qat_distill}'} if args.qat_distill > 0 else {}), 'metricLoss': f'cosface s=10 m=0.2 weight {args.metric_weight}',
            'labelSmoothing': 0.05, 'weightDecay': args.weight_decay, 'optimizer': 'AdamW, cosine schedule', 'augment': augment_description(args.task), 'seed': args.seed, 'trainSamples': int(backbone_train), 'trainSplits': ['train', *args.extra_train], 'maxTrainPerEpoch': args.max_train,
            'weightBits': {'first': 8, 'rest': 4}, 'activationBits': 4, 'torch': torch.__version__,
            **({'aux': {'classes': n_aux, 'samples': int(len(ay)), 'split': 'aux',
                        'heads': f'training only: cosface (weight {args.metric_weight}) and softmax (weight {args.aux_weight}) over the {classes} backbone + {n_aux} aux classes on the embedding; not exported'}}
               if n_aux > 0 else {}),
        },
    }
    with open(os.path.join(args.work, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    emit(event='done', floatAccuracy=float_acc, qatAccuracy=qat_acc, sparsity=sparsity)


if __name__ == '__main__':
    main()
