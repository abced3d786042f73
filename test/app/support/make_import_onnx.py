"""A small random CNN with the gesture models' input (64x64x10, NCHW to torch), exported to ONNX for the importModel tests.

usage: make_import_onnx.py OUT.onnx C H W [OUT.onnx C H W ...]   (one process: importing torch is the slow part)
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, c, h, w):
        super().__init__()
        # stride 1, padding 1: SAME padding as the NSoC does it
        self.conv1 = nn.Conv2d(c, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16 * (h // 8) * (w // 8), 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        return self.fc(torch.flatten(x, 1))


args = sys.argv[1:]
for k in range(0, len(args), 4):
    out = args[k]
    c, h, w = (int(v) for v in args[k + 1:k + 4])
    torch.manual_seed(7)
    net = Net(c, h, w).eval()
    torch.onnx.export(net, torch.zeros(1, c, h, w), out, opset_version=13, input_names=['input'], output_names=['logits'], do_constant_folding=True)
