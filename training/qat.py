"""Quantization-aware training that simulates the NSoC converter EXACTLY.

The converter (src-engine/nsoc/convert/quantize.ts, docs/NSOC.md §12) turns a
layer with input step S_in, float weights W, bias b and activation step S into
integers:

  weights   S_w[o] = max|W[o]| / k_max  (per output channel; k_max = 127 for
            the first layer's 8 bits, 7 for 4 bits), w = round_half_even(W / S_w)
            — QAT exports keep our S_w exactly (QuantizeLinear/DequantizeLinear
            pairs on the weights);
  potential p = Σ w·a over integer inputs a (exact), standing for S_p·p + b with
            S_p = S_in·S_w[o];
  threshold T = Math.round(16·(S/2 − b) / S_p), step s = max(1, Math.round(16·S / S_p));
  activation out = 0 if 16p ≤ T else min(ceil((16p − T) / s), 15).

QLayer.forward (in eval mode) computes exactly that in float64 (the same IEEE
operations the JavaScript does on the same float32 inputs), so the simulated
outputs equal the NsocRuntime's bit for bit; the gradient flows through a float surrogate
(round(x / S) clamped to 0…15, straight-through) — the learned step S gets the
LSQ gradient (Esser et al. 2020) scaled by 1/sqrt(N·15).

For export (export_mode=True) the same layer is written in float terms that
the converter recognises: Conv/Gemm over fake-quantized weights
(fake_quantize_per_channel_affine, int8 grid, our scale), Clip(0, 15·S) and a
uint8 QuantizeLinear→DequantizeLinear pair with scale S.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

ACT_BITS = 4
ACT_LEVELS = 2 ** ACT_BITS - 1


def kmax(bits):
    return 2 ** (bits - 1) - 1


def weight_scale(w, bits):
    """Per output channel (dim 0), float32: max|W| / k_max — what the converter computes."""
    m = w.detach().abs().reshape(w.shape[0], -1).amax(dim=1)
    return torch.clamp(m, min=1e-8) / kmax(bits)


def ste_round(x):
    return x + (torch.round(x) - x).detach()


def grad_scale(x, g):
    return (x - x * g).detach() + x * g


def js_round(x):
    """JavaScript's Math.round (ties toward +inf) in float64."""
    return torch.floor(x + 0.5)


class QLayer(nn.Module):
    """One NSoC layer: conv (kernel k, stride, VALID or SAME-as-torch-padding) or dense, with
    an optional 4-bit activation. Holds float weights + bias and a learned activation step."""

    def __init__(self, kind, cin, cout, weight_bits, act, k=3, stride=1, padding=0):
        super().__init__()
        self.kind = kind
        self.weight_bits = weight_bits
        self.act = act
        self.k, self.stride, self.padding = k, stride, padding
        if kind == 'conv':
            self.weight = nn.Parameter(torch.zeros(cout, cin, k, k))
        else:
            self.weight = nn.Parameter(torch.zeros(cout, cin))
        self.bias = nn.Parameter(torch.zeros(cout))
        # activation step (float units); set by calibration
        self.step = nn.Parameter(torch.tensor(1.0)) if act else None

    def linear(self, x, w, b):
        if self.kind == 'conv':
            return F.conv2d(x, w, b, stride=self.stride, padding=self.padding)
        return F.linear(x, w, b)

    def forward(self, a, s_in, export_mode=False):
        """a: integer-valued input activations (float tensor), s_in: their step (float32 scalar tensor).
        Returns (integer output — activation levels, or potentials for the classifier; float value of
        the output for the loss)."""
        sw = weight_scale(self.weight, self.weight_bits)
        view = (-1,) + (1,) * (self.weight.dim() - 1)
        if export_mode:
            # a constant in the trace (not computed from the weights), so the exported scale is an initializer
            sw = torch.tensor(sw.detach().numpy().copy())
            zp = torch.zeros(sw.shape[0], dtype=torch.int32)
            wq = torch.fake_quantize_per_channel_affine(self.weight, sw, zp, 0, -128, 127)
            x = self.linear(a, wq, self.bias)
            if not self.act:
                return x, x
            S = float(self.step.detach())
            x = torch.clamp(x, 0.0, float(torch.tensor(ACT_LEVELS * S, dtype=torch.float32)))
            x = torch.fake_quantize_per_tensor_affine(x, S, 0, 0, 255)
            return x, x
        k = kmax(self.weight_bits)
        q = self.weight / sw.view(view)
        wi = q + (torch.clamp(torch.round(q), -k, k) - q).detach()
        p = self.linear(a, wi, None)
        p = p + (torch.round(p) - p).detach()  # exact integers (float32 sums of small integers)
        chan = (1, -1, 1, 1) if self.kind == 'conv' else (1, -1)
        sp = (s_in * sw).view(chan)
        x = p * sp + self.bias.view(chan)
        if not self.act:
            return p.detach(), x
        n = x[0].numel()
        S = grad_scale(self.step, 1.0 / math.sqrt(n * ACT_LEVELS))
        y = torch.clamp(ste_round(x / S), 0, ACT_LEVELS)
        if self.training:
            # training steps use the surrogate alone (it differs from the exact value only where the
            # rounding of T or s moves a boundary; float64 work on every map would double the cost)
            return y, y * S
        with torch.no_grad():
            sp64 = (s_in.double() * sw.double()).view(chan)
            S64 = self.step.detach().double()
            b64 = self.bias.detach().double().view(chan)
            T = js_round(16 * (S64 / 2 - b64) / sp64)
            s = torch.clamp(js_round(16 * S64 / sp64), min=1)
            num = 16 * p.detach().double() - T
            exact = torch.where(num <= 0, torch.zeros_like(num), torch.clamp(torch.ceil(num / s), max=ACT_LEVELS)).float()
        out = y + (exact - y).detach()
        return out, out * S

    def integer_params(self, s_in):
        """The converter's integers for this layer (for checks): weights, T, s."""
        sw = weight_scale(self.weight, self.weight_bits)
        view = (-1,) + (1,) * (self.weight.dim() - 1)
        wi = torch.clamp(torch.round(self.weight.detach() / sw.view(view)), -kmax(self.weight_bits), kmax(self.weight_bits))
        if not self.act:
            return wi, None, None
        sp64 = s_in.double() * sw.double()
        S64 = self.step.detach().double()
        T = js_round(16 * (S64 / 2 - self.bias.detach().double()) / sp64)
        s = torch.clamp(js_round(16 * S64 / sp64), min=1)
        return wi, T, s


def activity_l1(levels):
    """Mean activation level, 0…1 (L1 activity regularisation on the quantized activations)."""
    return levels.mean() / ACT_LEVELS
