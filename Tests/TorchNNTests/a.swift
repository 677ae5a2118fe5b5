import TorchNN
