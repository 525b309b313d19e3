"""The book's benchmark workloads in PyTorch (CPU), for `npm run bench -- --torch`.

Same shapes, batch sizes, optimiser (Adam, learning rate 1e-3), loss and step counts as bench/workloads.mjs
and dlkit's measure/ (MLP 784-256-128-10 at batch 128; the LeNet and the chapter-7 ResNet at batch 64 on
28x28x1; the DQN update of a 4-128-128-2 network at batch 64 with double DQN, Huber loss and gradient
clipping at norm 10; one greedy action; chapter 6's mini-BERT pre-training and fine-tuning; chapter 8's matrix
factorisation over MovieLens; chapter 13's small GPT, training and cached generation). One warm-up and 3 timed repetitions per workload, the median
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


class MiniBert(nn.Module):
    """Chapter 6's encoder (vocab 8000, hidden 64, 2 post-LayerNorm blocks of 4 heads, feed-forward 256, GELU,
    dropout 0.1) with its masked-LM head (dense, GELU, LayerNorm, output tied to the token embeddings) or its
    [CLS] classifier (tanh pooler, dropout, 2 classes), as in dlkit's models/transformer.ts."""

    def __init__(self, what, vocabulary=8000, hidden=64, length=128):
        super().__init__()
        self.token = nn.Embedding(vocabulary, hidden)
        self.position = nn.Embedding(length, hidden)
        self.segment = nn.Embedding(2, hidden)
        self.norm = nn.LayerNorm(hidden)
        self.dropout = nn.Dropout(0.1)
        block = nn.TransformerEncoderLayer(hidden, 4, 256, 0.1, activation="gelu", batch_first=True)
        self.blocks = nn.TransformerEncoder(block, 2, enable_nested_tensor=False)
        self.what = what
        if what == "pretrain":
            self.transform, self.head_norm = nn.Linear(hidden, hidden), nn.LayerNorm(hidden)
            self.output_bias = nn.Parameter(torch.zeros(vocabulary))
        else:
            self.pooler, self.classifier = nn.Linear(hidden, hidden), nn.Linear(hidden, 2)

    def forward(self, ids, positions=None):
        length = ids.shape[1]
        x = self.token(ids) + self.position.weight[:length] + self.segment.weight[0]
        h = self.blocks(self.dropout(self.norm(x)), src_key_padding_mask=ids == 0)
        if self.what == "pretrain":
            chosen = h.reshape(-1, h.shape[-1])[positions]
            z = self.head_norm(nn.functional.gelu(self.transform(chosen)))
            return z @ self.token.weight.T + self.output_bias
        return self.classifier(self.dropout(torch.tanh(self.pooler(h[:, 0]))))


def mini_bert(what, smoke):
    """Tokens per second of training: batch 32 x length 128, 4 steps an epoch, Adam 1e-3 (dlkit's
    measureMiniBertThroughput). Pre-training masks 15% of the ordinary tokens afresh each batch (80% [MASK],
    10% random, 10% kept) and scores only those positions."""
    length, batch, steps = (16, 4, 1) if smoke else (128, 32, 4)
    vocabulary = 8000
    torch.manual_seed(1)
    model = MiniBert(what, vocabulary, 64, length)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(5, vocabulary, (batch * steps, length))
    ids[:, 0], ids[:, -1] = 2, 3
    labels = torch.arange(batch * steps) % 2

    def epoch():
        model.train()
        for i in range(steps):
            x = ids[i * batch:(i + 1) * batch].clone()
            optimiser.zero_grad(set_to_none=True)
            if what == "pretrain":
                ordinary = x >= 5
                chosen = ordinary & (torch.rand(x.shape) < 0.15)
                positions = chosen.reshape(-1).nonzero().squeeze(1)
                targets = x.reshape(-1)[positions]
                draw = torch.rand(positions.shape)
                flat = x.reshape(-1)
                flat[positions[draw < 0.8]] = 4
                swap = positions[(draw >= 0.8) & (draw < 0.9)]
                flat[swap] = torch.randint(5, vocabulary, swap.shape)
                loss = nn.functional.cross_entropy(model(x, positions), targets)
            else:
                loss = nn.functional.cross_entropy(model(x), labels[i * batch:(i + 1) * batch])
            loss.backward()
            optimiser.step()
        loss.item()
        return batch * steps * length

    return measure_rate(epoch, 1, 1 if smoke else 3)


def attention(q, k, v, causal):
    """softmax(QK^T/sqrt(d) + causal mask) V: PyTorch 2's fused scaled_dot_product_attention where it exists,
    the same arithmetic written out on PyTorch 1.13 (Debian 12's python3-torch)."""
    if hasattr(nn.functional, "scaled_dot_product_attention"):
        return nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if causal:
        length = q.shape[-2]
        scores = scores.masked_fill(torch.ones(length, length, dtype=torch.bool).triu(1), float("-inf"))
    return scores.softmax(-1) @ v


class SmallGpt(nn.Module):
    """Chapter 13's GPT (vocab 2000, hidden 96, 3 pre-LayerNorm blocks of 4 heads, feed-forward 384, GELU
    (tanh), no dropout, learned positions, output tied to the token embeddings), as in dlkit's
    models/transformer/gpt.ts, with a key-value cache for generation."""

    def __init__(self, vocabulary=2000, hidden=128, layers=3, heads=4, length=128):
        super().__init__()
        self.heads = heads
        self.token = nn.Embedding(vocabulary, hidden)
        self.position = nn.Embedding(length, hidden)
        self.blocks = nn.ModuleList(
            nn.ModuleDict({
                "norm1": nn.LayerNorm(hidden), "qkv": nn.Linear(hidden, 3 * hidden), "out": nn.Linear(hidden, hidden),
                "norm2": nn.LayerNorm(hidden), "up": nn.Linear(hidden, 4 * hidden), "down": nn.Linear(4 * hidden, hidden),
            })
            for _ in range(layers)
        )
        self.norm = nn.LayerNorm(hidden)

    def forward(self, ids, cache=None):
        """Logits of every position; with `cache` (a list, one (keys, values) per block, filled in), the new
        tokens follow the cached ones."""
        batch, length = ids.shape
        past = cache[0][0].shape[2] if cache and cache[0] is not None else 0
        x = self.token(ids) + self.position.weight[past:past + length]
        for i, block in enumerate(self.blocks):
            q, k, v = block["qkv"](block["norm1"](x)).split(x.shape[-1], dim=-1)
            q, k, v = (t.view(batch, length, self.heads, -1).transpose(1, 2) for t in (q, k, v))
            if cache is not None:
                if cache[i] is not None:
                    k, v = torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)
                cache[i] = (k, v)
            attended = attention(q, k, v, causal=length > 1)
            x = x + block["out"](attended.transpose(1, 2).reshape(batch, length, -1))
            x = x + block["down"](nn.functional.gelu(block["up"](block["norm2"](x)), approximate="tanh"))
        return self.norm(x) @ self.token.weight.T


def small_gpt(what, smoke):
    """Tokens per second of chapter 13's GPT (dlkit's measureGptThroughput): training, batch 16 x length 128,
    4 steps an epoch, Adam 1e-3, next-token cross-entropy on random ids; or greedy generation of 127 tokens
    after one, batch 1, with the key-value cache."""
    length, batch, steps = (16, 4, 1) if smoke else (128, 16, 4)
    vocabulary = 2000
    torch.manual_seed(1)
    model = SmallGpt(vocabulary, 96, 3, 4, length)
    if what == "generate":
        model.eval()

        def run():
            with torch.no_grad():
                cache = [None] * len(model.blocks)
                token = torch.randint(0, vocabulary, (1, 1))
                for _ in range(length - 1):
                    token = model(token, cache)[:, -1].argmax(-1, keepdim=True)
                    token.item()
            return length - 1

        return measure_rate(run, 1, 1 if smoke else 3)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, vocabulary, (batch * steps, length + 1))

    def epoch():
        model.train()
        for i in range(steps):
            rows = ids[i * batch:(i + 1) * batch]
            optimiser.zero_grad(set_to_none=True)
            logits = model(rows[:, :-1])
            loss = nn.functional.cross_entropy(logits.reshape(-1, vocabulary), rows[:, 1:].reshape(-1))
            loss.backward()
            optimiser.step()
        loss.item()
        return batch * steps * length

    return measure_rate(epoch, 1, 1 if smoke else 3)


def matrix_factorisation(smoke):
    """Ratings per second: one epoch of chapter 8's model over MovieLens (datasets/movielens-small), 32
    dimensions, user and item biases, batch 1024, Adam 0.002, mean squared error + 0.05 x mean L2 of the
    gathered rows (dlkit's MatrixFactorisation and the matrix-factorisation-train workload)."""
    import csv
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datasets", "movielens-small", "ratings.csv")
    with open(path) as file:
        rows = [(int(r["userId"]), int(r["movieId"]), float(r["rating"])) for r in csv.DictReader(file)]
    if smoke:
        rows = rows[:5000]
    user_index = {u: k for k, u in enumerate(sorted({r[0] for r in rows}))}
    item_index = {i: k for k, i in enumerate(sorted({r[1] for r in rows}))}
    users = torch.tensor([user_index[r[0]] for r in rows])
    items = torch.tensor([item_index[r[1]] for r in rows])
    ratings = torch.tensor([r[2] for r in rows])
    torch.manual_seed(1)
    p = nn.Parameter(torch.randn(len(user_index), 32) * 0.1)
    q = nn.Parameter(torch.randn(len(item_index), 32) * 0.1)
    bu = nn.Parameter(torch.zeros(len(user_index)))
    bi = nn.Parameter(torch.zeros(len(item_index)))
    mean = ratings.mean()
    optimiser = torch.optim.Adam([p, q, bu, bi], lr=0.002)
    batch = 1024

    def epoch():
        order = torch.randperm(len(rows))
        for start in range(0, len(rows), batch):
            index = order[start:start + batch]
            u, i = users[index], items[index]
            pu, qi, b_u, b_i = p[u], q[i], bu[u], bi[i]
            prediction = (pu * qi).sum(1) + b_u + b_i + mean
            error = ((prediction - ratings[index]) ** 2).mean()
            penalty = 0.05 * ((pu ** 2).sum(1) + (qi ** 2).sum(1)).mean() + 0.05 * (b_u ** 2 + b_i ** 2).mean()
            optimiser.zero_grad(set_to_none=True)
            (error + penalty).backward()
            optimiser.step()
        error.item()
        return len(rows)

    return measure_rate(epoch, 1, 1 if smoke else 3)


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
    "mini-bert-train": ("tokens/s", lambda smoke: mini_bert("pretrain", smoke)),
    "mini-bert-finetune": ("tokens/s", lambda smoke: mini_bert("finetune", smoke)),
    "matrix-factorisation-train": ("ratings/s", lambda smoke: matrix_factorisation(smoke)),
    "small-gpt-train": ("tokens/s", lambda smoke: small_gpt("train", smoke)),
    "small-gpt-generate": ("tokens/s", lambda smoke: small_gpt("generate", smoke)),
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
