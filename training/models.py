"""Compact CNN backbones built only from layers the NSoC converter supports
(src-engine/nsoc/convert/chain.ts): Conv (3x3, stride 1 or 2, VALID: no padding,
so the converter never has to express PyTorch padding as SAME), BatchNorm
(folded before QAT), ReLU, Flatten, Gemm.

  input conv 8-bit weights, s2 (keywords: s1) → conv s2 → conv s2 → conv s2 (gesture) → flatten
  → dense embedding (4-bit activations; the learners binarize it: active = nonzero)
  → dense classifier (potentials, no activation)

The flatten keeps *where* things happen (left vs right arm), which a global
average pool would lose. FloatNet is pretrained in float; `to_qat` folds its
BatchNorms into the convolutions and returns the QatNet that fine-tunes with
the converter's exact arithmetic (qat.py).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from qat import ACT_LEVELS, QLayer, activity_l1


def conv_out(n, k=3, stride=2):
    return (n - k) // stride + 1


def default_arch(task, input_shape):
    """Layer widths per task. input_shape is HWC."""
    if task == 'keywords':
        # a stride-1 first layer: the 32 time rows are few, keep their resolution one layer longer;
        # twice v1-v7's widths: the one-shot features of new words gain 1-7 points (v8, docs/MODELS.md);
        # three convolutions since v9: on 32 × 16 bands the third leaves a 6 × 2 map, too small for a fourth
        return {'convs': [[32, 1], [64, 2], [128, 2]], 'embedding': 128}
    # gesture: a 256-value embedding (with the aux classes it separates unseen gestures better than 128: docs/LEARNING.md);
    # widths doubled in v6 like keywords v8 (docs/MODELS.md)
    return {'convs': [[32, 2], [64, 2], [128, 2], [128, 2]], 'embedding': 256}


def plan_convs(input_shape, convs):
    """[(filters, stride)] → the ones that fit: drops trailing convolutions whose output would be
    smaller than 2×2 (tiny inputs)."""
    h, w, _ = input_shape
    out = []
    for c, s in convs:
        if conv_out(h, 3, s) < 2 or conv_out(w, 3, s) < 2:
            break
        h, w = conv_out(h, 3, s), conv_out(w, 3, s)
        out.append((c, s))
    return out, (h, w)


class FloatNet(nn.Module):
    def __init__(self, input_shape, classes, arch, dropout=0.2):
        super().__init__()
        h, w, c = input_shape
        widths, (oh, ow) = plan_convs(input_shape, arch['convs'])
        self.widths = widths
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        cin = c
        for cout, stride in widths:
            self.convs.append(nn.Conv2d(cin, cout, 3, stride=stride, padding=0, bias=False))
            self.bns.append(nn.BatchNorm2d(cout))
            cin = cout
        self.flat = cin * oh * ow
        self.emb = nn.Linear(self.flat, arch['embedding'])
        self.emb_bn = nn.BatchNorm1d(arch['embedding'])
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(arch['embedding'], classes)
        self.input_shape = input_shape
        self.arch = arch

    def forward(self, x):
        """x: NCHW float counts. Returns (logits, embedding, [activations])."""
        acts = []
        for conv, bn in zip(self.convs, self.bns):
            x = F.relu(bn(conv(x)))
            acts.append(x)
        e = F.relu(self.emb_bn(self.emb(torch.flatten(x, 1))))
        acts.append(e)
        return self.fc(self.drop(e)), e, acts


def fold_bn(weight, bias, bn):
    """Returns (W', b') with BN(W x + b) = W' x + b' in eval mode."""
    g = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    shape = (-1,) + (1,) * (weight.dim() - 1)
    w = weight.detach() * g.view(shape)
    b0 = bias.detach() if bias is not None else torch.zeros_like(bn.running_mean)
    b = (b0 - bn.running_mean) * g + bn.bias.detach()
    return w, b


class QatNet(nn.Module):
    """The quantized network as the NSoC runs it (qat.QLayer, exact)."""

    def __init__(self, input_shape, classes, widths, flat, embedding, dropout=0.2):
        super().__init__()
        c = input_shape[2]
        self.layers = nn.ModuleList()
        cin = c
        for i, (cout, stride) in enumerate(widths):
            self.layers.append(QLayer('conv', cin, cout, 8 if i == 0 else 4, True, k=3, stride=stride, padding=0))
            cin = cout
        self.layers.append(QLayer('dense', flat, embedding, 4, True))
        self.layers.append(QLayer('dense', embedding, classes, 4, False))
        self.n_convs = len(widths)
        self.drop = nn.Dropout(dropout)
        self.register_buffer('input_step', torch.tensor(1.0))

    @property
    def embedding_index(self):
        return len(self.layers) - 2

    def forward(self, x, export_mode=False, keep=False):
        """x: NCHW float counts (integers). Returns (scores, embedding levels, [integer outputs per layer], l1)."""
        a = x
        s_in = self.input_step
        outs = []
        l1 = 0.0
        emb = None
        for i, layer in enumerate(self.layers):
            if i == self.n_convs:
                a = torch.flatten(a, 1)
            if i == len(self.layers) - 1 and not export_mode:
                a = self.drop(a) if self.training else a
            q, val = layer(a, s_in, export_mode=export_mode)
            if export_mode:
                a = q
                continue
            outs.append(q)
            if layer.act:
                l1 = l1 + activity_l1(q)
                s_in = layer.step
                a = q
                if i == self.embedding_index:
                    emb = q
            else:
                scores = val
        if export_mode:
            return a
        return scores, emb, outs, l1 / (len(self.layers) - 1)


class ExportWrapper(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x, export_mode=True)


def to_qat(fnet, classes):
    """Folds the float net's BatchNorms into a QatNet (steps set by calibrate_steps)."""
    q = QatNet(fnet.input_shape, classes, fnet.widths, fnet.flat, fnet.arch['embedding'], dropout=fnet.drop.p)
    with torch.no_grad():
        for i, (conv, bn) in enumerate(zip(fnet.convs, fnet.bns)):
            w, b = fold_bn(conv.weight, None, bn)
            q.layers[i].weight.copy_(w)
            q.layers[i].bias.copy_(b)
        w, b = fold_bn(fnet.emb.weight, fnet.emb.bias, fnet.emb_bn)
        q.layers[-2].weight.copy_(w)
        q.layers[-2].bias.copy_(b)
        q.layers[-1].weight.copy_(fnet.fc.weight)
        q.layers[-1].bias.copy_(fnet.fc.bias)
    return q


@torch.no_grad()
def calibrate_steps(fnet, qnet, batches, pct=0.999):
    """Activation steps from the float net: the pct quantile of each layer's positive activations / 15."""
    fnet.eval()
    vals = None
    for x in batches:
        _, _, acts = fnet(x)
        if vals is None:
            vals = [[] for _ in acts]
        for i, a in enumerate(acts):
            pos = a[a > 0]
            if pos.numel() > 200000:
                pos = pos[torch.randperm(pos.numel())[:200000]]
            vals[i].append(pos)
    qlayers = [l for l in qnet.layers if l.act]
    for layer, v in zip(qlayers, vals):
        v = torch.cat(v) if v else torch.zeros(0)
        r = float(torch.quantile(v, pct)) if v.numel() > 0 else 1.0
        layer.step.data.fill_(max(r, 1e-3) / ACT_LEVELS)
