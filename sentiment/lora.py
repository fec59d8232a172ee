"""Low-rank adapters (LoRA) for the encoder's linear layers: added for training, merged for scoring."""

from __future__ import annotations

import math

import torch
from torch import nn

# Every linear layer of a BERT block: attention projections and both feed-forward layers.
TARGET_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update `B @ A * alpha / rank`."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        update = self.dropout(inputs) @ self.lora_A.T @ self.lora_B.T
        return self.base(inputs) + update * self.scale


def add_adapters(model: nn.Module, rank: int, alpha: float, dropout: float) -> list[str]:
    """Wrap every targeted linear layer of `model` in a `LoRALinear`; returns the wrapped names."""
    wrapped = []
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.Linear) and name.endswith(TARGET_SUFFIXES):
            parent_name, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent_name), child, LoRALinear(module, rank, alpha, dropout))
            wrapped.append(name)
    return wrapped


def adapter_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The adapter tensors, keyed by the wrapped layer's name plus `.lora_A` / `.lora_B`."""
    state = {}
    for name, module in model.named_modules():
        if isinstance(module, LoRALinear):
            state[f"{name}.lora_A"] = module.lora_A.detach().clone().contiguous()
            state[f"{name}.lora_B"] = module.lora_B.detach().clone().contiguous()
    return state


@torch.no_grad()
def merge_adapters(model: nn.Module, tensors: dict[str, torch.Tensor], scale: float) -> int:
    """Fold saved adapters into plain linear layers (`W += B @ A * scale`); returns how many."""
    merged = 0
    for key, lora_a in tensors.items():
        if not key.endswith(".lora_A"):
            continue
        name = key.removesuffix(".lora_A")
        layer = model.get_submodule(name)
        if not isinstance(layer, nn.Linear):
            raise ValueError(f"adapter {name} does not point at a linear layer")
        lora_b = tensors[f"{name}.lora_B"]
        layer.weight += (lora_b.float() @ lora_a.float()).to(layer.weight.dtype) * scale
        merged += 1
    return merged
