"""Train a small Transformer translation model (in the style of attention-is-all-you-need-pytorch)."""

import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

PAD = 0


def get_pad_mask(seq, pad_idx):
    return (seq != pad_idx).unsqueeze(-2)


class Encoder(nn.Module):
    def __init__(self, n_vocab, d_model, n_layers, n_head, dropout=0.1, pad_idx=PAD):
        super().__init__()
        self.pad_idx = pad_idx
        self.embed = nn.Embedding(n_vocab, d_model, padding_idx=pad_idx)
        layer = nn.TransformerEncoderLayer(d_model, n_head, 4 * d_model, dropout, batch_first=True)
        self.layers = nn.TransformerEncoder(layer, n_layers)

    def forward(self, src_seq):
        padding = src_seq.data.eq(self.pad_idx)
        return self.layers(self.embed(src_seq), src_key_padding_mask=padding)


class Seq2Seq(nn.Module):
    def __init__(self, n_src_vocab, n_trg_vocab, d_model=256, n_layers=3, n_head=8):
        super().__init__()
        self.encoder = Encoder(n_src_vocab, d_model, n_layers, n_head)
        self.trg_embed = nn.Embedding(n_trg_vocab, d_model, padding_idx=PAD)
        self.proj = nn.Linear(d_model, n_trg_vocab, bias=False)

    def forward(self, src_seq, trg_seq):
        memory = self.encoder(src_seq).mean(dim=1, keepdim=True)
        return self.proj(self.trg_embed(trg_seq) + memory).view(-1, self.proj.out_features)


class ScheduledOptim:
    """A simple wrapper class for learning rate scheduling."""

    def __init__(self, optimizer, lr_mul, d_model, n_warmup_steps):
        self._optimizer = optimizer
        self.lr_mul = lr_mul
        self.d_model = d_model
        self.n_warmup_steps = n_warmup_steps
        self.n_steps = 0

    def step_and_update_lr(self):
        self._update_learning_rate()
        self._optimizer.step()

    def zero_grad(self):
        self._optimizer.zero_grad()

    def _update_learning_rate(self):
        self.n_steps += 1
        lr = self.lr_mul * (self.d_model ** -0.5) * min(self.n_steps ** (-0.5), self.n_steps * self.n_warmup_steps ** (-1.5))
        for param_group in self._optimizer.param_groups:
            param_group["lr"] = lr


def cal_loss(pred, gold, trg_pad_idx, smoothing=False):
    if smoothing:
        eps = 0.1
        n_class = pred.size(1)
        one_hot = torch.zeros_like(pred).scatter(1, gold.view(-1, 1), 1)
        one_hot = one_hot * (1 - eps) + (1 - one_hot) * eps / (n_class - 1)
        log_prb = F.log_softmax(pred, dim=1)
        non_pad_mask = gold.ne(trg_pad_idx)
        return -(one_hot * log_prb).sum(dim=1).masked_select(non_pad_mask).sum()
    return F.cross_entropy(pred, gold, ignore_index=trg_pad_idx, reduction="sum")


def cal_performance(pred, gold, trg_pad_idx, smoothing=False):
    loss = cal_loss(pred, gold, trg_pad_idx, smoothing=smoothing)
    pred = pred.max(1)[1]
    gold = gold.contiguous().view(-1)
    non_pad_mask = gold.ne(trg_pad_idx)
    n_correct = pred.eq(gold).masked_select(non_pad_mask).sum().item()
    return loss, n_correct, non_pad_mask.sum().item()


def train_epoch(model, training_data, optimizer, opt, device, smoothing):
    model.train()
    total_loss, n_word_total, n_word_correct = 0, 0, 0
    for src_seq, trg_seq in training_data:
        src_seq, trg_seq = src_seq.to(device), trg_seq.to(device)
        gold = trg_seq[:, 1:].contiguous().view(-1)
        optimizer.zero_grad()
        pred = model(src_seq, trg_seq[:, :-1])
        loss, n_correct, n_word = cal_performance(pred, gold, PAD, smoothing=smoothing)
        loss.backward()
        optimizer.step_and_update_lr()
        n_word_total += n_word
        n_word_correct += n_correct
        total_loss += loss.data.item()
    return total_loss / n_word_total, n_word_correct / n_word_total


def eval_epoch(model, validation_data, device):
    model.eval()
    total_loss, n_word_total, n_word_correct = 0, 0, 0
    with torch.no_grad():
        for src_seq, trg_seq in validation_data:
            src_seq, trg_seq = src_seq.to(device), trg_seq.to(device)
            gold = trg_seq[:, 1:].contiguous().view(-1)
            pred = model(src_seq, trg_seq[:, :-1])
            loss, n_correct, n_word = cal_performance(pred, gold, PAD, smoothing=False)
            n_word_total += n_word
            n_word_correct += n_correct
            total_loss += loss.item()
    return total_loss / n_word_total, n_word_correct / n_word_total


def synthetic_data(n, length, vocab):
    seqs = torch.randint(1, vocab, (n, length))
    return TensorDataset(seqs, seqs.flip(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-epoch", type=int, default=10)
    parser.add_argument("-b", "--batch_size", type=int, default=64)
    parser.add_argument("-d_model", type=int, default=256)
    parser.add_argument("-warmup", "--n_warmup_steps", type=int, default=4000)
    parser.add_argument("-lr_mul", type=float, default=2.0)
    parser.add_argument("-seed", type=int, default=None)
    parser.add_argument("-label_smoothing", action="store_true")
    parser.add_argument("-no_cuda", action="store_true")
    opt = parser.parse_args()

    if opt.seed is not None:
        torch.manual_seed(opt.seed)
        np.random.seed(opt.seed)

    device = torch.device("cpu" if opt.no_cuda else "cuda")
    training_data = DataLoader(synthetic_data(2048, 32, 1000), batch_size=opt.batch_size, shuffle=True)
    validation_data = DataLoader(synthetic_data(256, 32, 1000), batch_size=opt.batch_size)

    transformer = Seq2Seq(1000, 1000, d_model=opt.d_model).to(device)
    optimizer = ScheduledOptim(
        optim.Adam(transformer.parameters(), betas=(0.9, 0.98), eps=1e-09), opt.lr_mul, opt.d_model, opt.n_warmup_steps
    )
    print("[Info] parameters:", sum(map(lambda p: p.data.numel(), transformer.parameters())))

    for epoch_i in range(opt.epoch):
        start = time.time()
        train_loss, train_accu = train_epoch(transformer, training_data, optimizer, opt, device, opt.label_smoothing)
        valid_loss, valid_accu = eval_epoch(transformer, validation_data, device)
        print(
            "  - (Training)   ppl: {ppl: 8.5f}, accuracy: {accu:3.3f} %, elapse: {elapse:3.3f} min".format(
                ppl=math.exp(min(train_loss, 100)), accu=100 * train_accu, elapse=(time.time() - start) / 60
            )
        )
        print("  - (Validation) ppl: {ppl: 8.5f}, accuracy: {accu:3.3f} %".format(ppl=math.exp(min(valid_loss, 100)), accu=100 * valid_accu))
        torch.save({"epoch": epoch_i, "model": transformer.state_dict()}, "model.chkpt")


if __name__ == "__main__":
    main()
