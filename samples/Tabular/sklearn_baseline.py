#!/usr/bin/python3
"""scikit-learn's MLP on the Tabular sample's split, for the README's comparison (dev-only; the tests never run it).

    /usr/bin/python3 samples/Tabular/sklearn_baseline.py --dataset wine|breast-cancer|diabetes [--seed N] [--split-seed N]

The same CSV files, the same train/test split as TabularSample.SplitIndices (SplitMix64 keys, stratified by class),
StandardScaler fitted on the training part, and MLPClassifier / MLPRegressor with the same hidden layers (64, 32), ReLU
and Adam at scikit-learn's defaults (learning rate 1e-3, batch min(200, n), L2 alpha 1e-4), trained until its loss stops
improving (max_iter raised to 2000 so that it converges). It prints the metrics GenNet's sample prints.
"""
import argparse
import csv
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix, f1_score, mean_absolute_error,
                             mean_squared_error, precision_score, r2_score, recall_score, roc_auc_score)
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = {"wine": ("wine.csv", False), "breast-cancer": ("breast_cancer.csv", False), "diabetes": ("diabetes.csv", True)}
MASK = (1 << 64) - 1


def key(seed, index):
    """SplitMix64 of seed * 1000003 + index, as TabularSample.Key."""
    z = (seed * 1000003 + index + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def split(groups, seed):
    """TabularSample.SplitIndices: per group the first round(n / 5) (halves up) by key are the test part."""
    train, test = [], []
    for group in sorted(set(groups)):
        members = sorted((i for i, g in enumerate(groups) if g == group), key=lambda i: (key(seed, i), i))
        held = (len(members) * 2 + 5) // 10
        test += members[:held]
        train += members[held:]
    return sorted(train, key=lambda i: (key(seed, i), i)), sorted(test)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", choices=DATASETS, default="wine")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--split-seed", type=int, default=42)
    args = parser.parse_args()
    file, regression = DATASETS[args.dataset]
    with open(os.path.join(HERE, "data", file)) as f:
        rows = list(csv.reader(f))[1:]
    x = np.array([[float(v) for v in row[:-1]] for row in rows])
    y = np.array([float(row[-1]) if regression else int(row[-1]) for row in rows])
    train, test = split([0] * len(y) if regression else list(y), args.split_seed)
    scaler = StandardScaler().fit(x[train])
    x_train, x_test = scaler.transform(x[train]), scaler.transform(x[test])
    kind = MLPRegressor if regression else MLPClassifier
    model = kind(hidden_layer_sizes=(64, 32), max_iter=2000, random_state=args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y[train])
    print(f"{args.dataset}: {len(train)} training samples, {len(test)} test; {model.n_iter_} epochs, seed {args.seed}, split seed {args.split_seed}")
    if regression:
        p = model.predict(x_test)
        mse = mean_squared_error(y[test], p)
        print(f"mae: {mean_absolute_error(y[test], p):.4f} - mse: {mse:.4f} - rmse: {np.sqrt(mse):.4f} - r2: {r2_score(y[test], p):.4f}")
    elif args.dataset == "breast-cancer":
        p = model.predict(x_test)
        auc = roc_auc_score(y[test], model.predict_proba(x_test)[:, 1])
        print(f"auc: {auc:.4f} - accuracy: {accuracy_score(y[test], p):.4f} - precision: {precision_score(y[test], p):.4f}"
              f" - recall: {recall_score(y[test], p):.4f} - f1: {f1_score(y[test], p):.4f}")
    else:
        p = model.predict(x_test)
        print(classification_report(y[test], p, digits=4))
        print(confusion_matrix(y[test], p))


if __name__ == "__main__":
    main()
