"""A tiny stand-in for StyleGAN2-ADA's inception-2015-12-05.pt with the same call signature, for tests:
forward(img uint8 [N, 3, H, W], return_features=False, use_fp16=False, no_output_bias=False).

    /usr/bin/python3 make_tiny_inception.py OUT.pt [EXPECTED.safetensors]

With a second argument, also writes the features and log-probabilities of a fixed probe batch
(`probe` [4, 3, 32, 32] uint8, formula below) for the Swift test to compare against.
"""
import sys

import torch


class TinyInception(torch.nn.Module):
    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.output = torch.nn.Linear(8, 10)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)

    def forward(self, img, return_features: bool = False, use_fp16: bool = False, no_output_bias: bool = False):
        assert img.dtype == torch.uint8
        x = img.to(torch.float32) / 127.5 - 1
        x = torch.nn.functional.interpolate(x, size=(16, 16), mode='bilinear', align_corners=False)
        features = torch.relu(self.conv(x)).mean(dim=[2, 3])
        if return_features:
            return features
        if no_output_bias:
            logits = torch.nn.functional.linear(features, self.output.weight)
        else:
            logits = self.output(features)
        return torch.nn.functional.softmax(logits, dim=1)


def probe():
    n, c, y, x = torch.meshgrid(torch.arange(4), torch.arange(3), torch.arange(32), torch.arange(32), indexing='ij')
    return ((n * 37 + y * 5 + x * 3) % 256).to(torch.uint8)


if __name__ == '__main__':
    module = torch.jit.script(TinyInception().eval())
    module.save(sys.argv[1])
    if len(sys.argv) > 2:
        from safetensors.torch import save_file
        img = probe()
        with torch.no_grad():
            save_file({'probe': img, 'features': module(img, return_features=True),
                       'log_probabilities': torch.log(module(img, no_output_bias=True))}, sys.argv[2])
