"""Wraps a feature network saved as TorchScript whose features need keyword arguments, such as
StyleGAN2-ADA's inception-2015-12-05.pt (`forward(img, return_features=True)`), into a TorchScript file
with plain methods that Ossify's TorchScript bridge can call (it passes tensors positionally only):

    features(img) -> [N, 2048]   forward(img, return_features=True)
    logits(img)   -> [N, 1008]   log of forward(img, no_output_bias=True), the probabilities ADA's IS uses
    forward(img)  -> features

    /usr/bin/python3 python/metrics_reference/wrap_torchscript_features.py inception-2015-12-05.pt inception-features.pt

Then: ossify metric fid --a A --b B --features inception-features.pt
"""
import sys

import torch


class FeatureWrapper(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, img):
        return self.net(img, return_features=True)

    @torch.jit.export
    def features(self, img):
        return self.net(img, return_features=True)

    @torch.jit.export
    def logits(self, img):
        return torch.log(self.net(img, no_output_bias=True).clamp_min(1e-30))


def main(source, destination):
    net = torch.jit.load(source, map_location='cpu').eval()
    wrapped = torch.jit.script(FeatureWrapper(net))
    wrapped.save(destination)
    print('wrote', destination)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: wrap_torchscript_features.py IN.pt OUT.pt')
    main(sys.argv[1], sys.argv[2])
