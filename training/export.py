"""ONNX export of a QatNet in the form the NSoC converter reads (docs/NSOC.md §12):
opset 13, batch 1, NCHW float input = the uint8 frame's values (input scale 1),
Conv/Gemm over QuantizeLinear→DequantizeLinear weights (per output channel,
our scales), Clip(0, 15·S) + a uint8 QuantizeLinear→DequantizeLinear pair
(scale S) per activation, Flatten before the first dense layer."""
import os

import numpy as np
import torch

from models import ExportWrapper


def export_onnx(qnet, input_shape, path):
    h, w, c = input_shape
    qnet.eval()
    wrapper = ExportWrapper(qnet)
    dummy = torch.zeros(1, c, h, w)
    tmp = path + '.tmp'
    torch.onnx.export(wrapper, dummy, tmp, opset_version=13, input_names=['frame'], output_names=['scores'], do_constant_folding=True)
    name_layers(tmp, qnet)
    os.replace(tmp, path)


def name_layers(path, qnet):
    """Names the Conv/Gemm nodes after their role (the converter names NSoC layers after them):
    input_conv, conv1…, embedding, classifier."""
    import onnx
    m = onnx.load(path)
    names = ['input_conv'] + [f'conv{i}' for i in range(1, qnet.n_convs)] + ['embedding', 'classifier']
    weighted = [n for n in m.graph.node if n.op_type in ('Conv', 'Gemm', 'MatMul')]
    if len(weighted) != len(names):
        raise RuntimeError(f'{path}: {len(weighted)} Conv/Gemm nodes for {len(names)} layers')
    for n, name in zip(weighted, names):
        n.name = name
    onnx.save(m, path)


@torch.no_grad()
def simulate(qnet, x_u8):
    """The QAT simulation's integer outputs of every layer, HWC-flattened: uint8 activations, int32 classifier potentials."""
    qnet.eval()
    xb = torch.from_numpy(np.ascontiguousarray(x_u8, dtype=np.float32)).permute(0, 3, 1, 2).contiguous()
    _, _, outs, _ = qnet(xb)
    res = []
    for i, o in enumerate(outs):
        if o.dim() == 4:
            o = o.permute(0, 2, 3, 1)
        o = o.reshape(o.shape[0], -1)
        last = i == len(outs) - 1
        res.append(o.numpy().astype(np.int32 if last else np.uint8))
    return res


def write_check(qnet, x, work, n=8):
    """check-x.npy (the first n test frames) and check-layer<i>.npy (what the NSoC must output for them)."""
    xs = np.ascontiguousarray(x[np.arange(min(n, len(x)))])
    np.save(os.path.join(work, 'check-x.npy'), xs)
    for i, o in enumerate(simulate(qnet, xs)):
        np.save(os.path.join(work, f'check-layer{i}.npy'), o)
