"""Reads the neurolive dataset format (docs: src-main/datasets/dataset-writer.ts):
meta.json + per split <split>-x.npy (uint8 N,H,W,C), <split>-y.npy (int32
index into meta.classes), <split>-group.npy (int32 subject / voice)."""
import json
import os

import numpy as np
import torch


class Dataset:
    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, 'meta.json')) as f:
            self.meta = json.load(f)
        m = self.meta
        if m.get('format') != 'neurolive-dataset':
            raise ValueError(f'{root}/meta.json: not a neurolive dataset (format {m.get("format")!r})')
        self.classes = m['classes']
        self.backbone = m['backboneClasses']
        self.held_out = m['heldOutClasses']
        # auxiliary classes (meta.auxClasses, only in the 'aux' split): training-only targets, never backbone outputs
        self.aux = list(m.get('auxClasses') or [])
        # classes index → backbone output index (-1: not a backbone class)
        self.to_backbone = np.full(len(self.classes), -1, dtype=np.int64)
        for i, c in enumerate(self.backbone):
            self.to_backbone[self.classes.index(c)] = i

    def split(self, name, backbone_only=True):
        """(x uint8 memmap N,H,W,C, y int64 — backbone indices if backbone_only else class indices, group)."""
        e = self.meta['splits'].get(name)
        if e is None:
            raise KeyError(f'{self.root}: no split {name!r} (has {", ".join(self.meta["splits"])})')
        x = np.load(os.path.join(self.root, e['x']), mmap_mode='r')
        y = np.load(os.path.join(self.root, e['y'])).astype(np.int64)
        g = np.load(os.path.join(self.root, e['group'])).astype(np.int64)
        if x.ndim != 4 or x.dtype != np.uint8 or len(y) != len(x) or len(g) != len(x):
            raise ValueError(f'{self.root}/{e["x"]}: expected uint8 [N,H,W,C] with matching y/group, got {x.dtype} {x.shape}, y {y.shape}, group {g.shape}')
        if not backbone_only:
            return x, y, g
        yb = self.to_backbone[y]
        keep = np.nonzero(yb >= 0)[0]
        if len(keep) == len(y):
            return x, yb, g
        return _Rows(x, keep), yb[keep], g[keep]

    def aux_split(self, limit_classes=None):
        """The 'aux' split as (x, y index into self.aux) — empty when the dataset has none. limit_classes keeps
        the first N aux classes."""
        if not self.aux or 'aux' not in self.meta['splits']:
            return None, np.zeros(0, dtype=np.int64)
        x, y, _ = self.split('aux', backbone_only=False)
        names = self.aux if limit_classes is None else self.aux[:limit_classes]
        to_aux = np.full(len(self.classes), -1, dtype=np.int64)
        for i, c in enumerate(names):
            to_aux[self.classes.index(c)] = i
        ya = to_aux[y]
        keep = np.nonzero(ya >= 0)[0]
        return (x if len(keep) == len(y) else _Rows(x, keep)), ya[keep]

    @property
    def input_shape(self):
        x = np.load(os.path.join(self.root, self.meta['splits']['train']['x']), mmap_mode='r')
        return tuple(int(v) for v in x.shape[1:])


class _Rows:
    """A row subset of a memmap, indexable like an array."""

    def __init__(self, x, rows):
        self.x, self.rows = x, rows
        self.shape = (len(rows),) + x.shape[1:]
        self.dtype = x.dtype

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, idx):
        return self.x[self.rows[idx]]


class Concat:
    """Two row sources (memmaps or _Rows) as one, indexable with an index array."""

    def __init__(self, a, b):
        self.a, self.b, self.na = a, b, len(a)
        self.shape = (len(a) + len(b),) + tuple(a.shape[1:])
        self.dtype = a.dtype

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, idx):
        idx = np.asarray(idx)
        out = np.empty((len(idx),) + self.shape[1:], dtype=self.dtype)
        ia = idx < self.na
        if ia.any():
            out[ia] = self.a[idx[ia]]
        if (~ia).any():
            out[~ia] = self.b[idx[~ia] - self.na]
        return out


def to_nchw(batch_u8):
    return torch.from_numpy(np.ascontiguousarray(batch_u8, dtype=np.float32)).permute(0, 3, 1, 2).contiguous()


def batches(x, y, batch, rng=None, limit=None):
    """Yields (NCHW float tensor, int64 labels); shuffled with rng, in order without."""
    n = len(y) if limit is None else min(len(y), limit)
    order = rng.permutation(len(y))[:n] if rng is not None else np.arange(n)
    for i in range(0, n, batch):
        idx = np.sort(order[i:i + batch])  # sorted reads are faster on a memmap
        yield to_nchw(x[idx]), torch.from_numpy(y[idx])
