"""The book's benchmark workloads in PyTorch (CPU), for `npm run bench -- --torch`.

Same shapes, batch sizes, optimiser (Adam, learning rate 1e-3), loss and step counts as bench/workloads.mjs
and dlkit's measure/ (MLP 784-256-128-10 at batch 128; the LeNet and the chapter-7 ResNet at batch 64 on
28x28x1; the DQN update of a 4-128-128-2 network at batch 64 with double DQN, Huber loss and gradient
clipping at norm 10; one greedy action). One warm-up and 3 timed repetitions per workload, the median
reported, for each thread count given (torch.set_num_threads). Prints one JSON object on stdout.

Usage: python bench/torch_reference.py [--threads 1,2] [--smoke]
Needs torch (and numpy); install them only into a benchmarking environment, e.g.
  python3 -m venv .venv-bench && .venv-bench/bin/pip install torch numpy
"""
import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn


def measure_rate(run, warmup=1, repetitions=3):
    """Calls run() (which returns how many units it did) warmup + repetitions times; units per second."""
    rates = []
    for i in range(warmup + repetitions):
        start = time.perf_counter()
        units = run()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            rates.append(units / elapsed)
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "repetitions": repetitions}


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


class Block(nn.Module):
    """conv3x3 - BN - ReLU - conv3x3 - BN, plus the shortcut (1x1 conv + BN when the shape changes), then ReLU."""

    def __init__(self, channels_in, channels, stride):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(channels_in, channels, 3, stride, 1, bias=False), nn.BatchNorm2d(channels, momentum=0.1), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels, momentum=0.1),
        )
        self.shortcut = nn.Identity() if stride == 1 and channels_in == channels else nn.Sequential(
            nn.Conv2d(channels_in, channels, 1, stride, bias=False), nn.BatchNorm2d(channels, momentum=0.1))

    def forward(self, x):
        return torch.relu(self.main(x) + self.shortcut(x))


def resnet(stages=(16, 32, 64)):
    """The book's chapter-7 ResNet: stride-2 stem, one block per stage, global average pooling, dense."""
    layers = [nn.Conv2d(1, stages[0], 3, 2, 1, bias=False), nn.BatchNorm2d(stages[0], momentum=0.1), nn.ReLU()]
    channels = stages[0]
    for i, width in enumerate(stages):
        layers.append(Block(channels, width, 2 if i > 0 else 1))
        channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10)]
    return nn.Sequential(*layers)


def training_rate(build, input_shape, batch, steps, smoke):
    steps = 2 if smoke else steps
    torch.manual_seed(1)
    model = build()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()
    x = torch.rand(batch * steps, *input_shape)
    y = torch.randint(0, 10, (batch * steps,))

    def epoch():
        order = torch.randperm(len(x))
        for i in range(steps):
            index = order[i * batch:(i + 1) * batch]
            optimiser.zero_grad(set_to_none=True)
            loss = loss_function(model(x[index]), y[index])
            loss.backward()
            optimiser.step()
        loss.item()
        return batch * steps

    return measure_rate(epoch, 1, 1 if smoke else 3)


def q_network():
    return nn.Sequential(nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))


def dqn(what, smoke):
    torch.manual_seed(7)
    online, target = q_network(), q_network()
    target.load_state_dict(online.state_dict())
    optimiser = torch.optim.Adam(online.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(7)
    size = 2000
    states, next_states = torch.randn(size, 4), torch.randn(size, 4)
    actions, rewards = torch.randint(0, 2, (size,)), torch.ones(size)
    done = (torch.rand(size) < 0.05).float()
    if what == "update":
        steps = 5 if smoke else 200

        def updates():
            for _ in range(steps):
                i = torch.randint(0, size, (64,), generator=generator)
                with torch.no_grad():
                    best = online(next_states[i]).argmax(1, keepdim=True)  # double DQN: the online net chooses
                    goal = rewards[i] + 0.99 * (1 - done[i]) * target(next_states[i]).gather(1, best).squeeze(1)
                chosen = online(states[i]).gather(1, actions[i].unsqueeze(1)).squeeze(1)
                loss = nn.functional.huber_loss(chosen, goal, delta=1.0)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(online.parameters(), 10.0)
                optimiser.step()
            return steps

        return measure_rate(updates, 1, 1 if smoke else 3)
    calls = 50 if smoke else 5000
    observation = [0.01, -0.02, 0.03, 0.04]

    def act():
        with torch.no_grad():
            for _ in range(calls):
                int(online(torch.tensor(observation)).argmax())
        return calls

    rates = measure_rate(act, 1, 1 if smoke else 3)
    return {"median": 1e6 / rates["median"], "min": 1e6 / rates["max"], "max": 1e6 / rates["min"], "repetitions": rates["repetitions"]}


def matmul(smoke):
    n, inner = (128, 2) if smoke else (1024, 5)
    a, b = torch.randn(n, n), torch.randn(n, n)

    def run():
        for _ in range(inner):
            (a @ b).sum().item()
        return inner * 2 * n ** 3 / 1e9

    return measure_rate(run, 1, 1 if smoke else 3)


WORKLOADS = {
    "matmul-1024": ("GFLOP/s", lambda smoke: matmul(smoke)),
    "mlp-fit": ("samples/s", lambda smoke: training_rate(mlp, (784,), 128, 40, smoke)),
    "lenet-train": ("samples/s", lambda smoke: training_rate(lenet, (1, 28, 28), 64, 20, smoke)),
    "resnet-train": ("samples/s", lambda smoke: training_rate(resnet, (1, 28, 28), 64, 8, smoke)),
    "dqn-update": ("steps/s", lambda smoke: dqn("update", smoke)),
    "dqn-act-latency": ("µs", lambda smoke: dqn("act", smoke)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--only", default=None, help="comma-separated workload names")
    arguments = parser.parse_args()
    chosen = arguments.only.split(",") if arguments.only else list(WORKLOADS)
    results = []
    for threads in [int(t) for t in arguments.threads.split(",")]:
        torch.set_num_threads(threads)
        for name in chosen:
            unit, run = WORKLOADS[name]
            results.append({"workload": name, "threads": threads, "unit": unit, **run(arguments.smoke)})
            print(f"torch {threads} thread(s) {name}: {results[-1]['median']:.1f} {unit}", file=sys.stderr)
    json.dump({"torch": torch.__version__, "python": sys.version.split()[0], "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
