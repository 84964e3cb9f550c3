#!/usr/bin/python3
"""Writes wine.csv, breast_cancer.csv and diabetes.csv (see ATTRIBUTION.md) from Debian's python3-sklearn copies.

Dev-only: /usr/bin/python3 samples/Tabular/data/convert.py. The values are copied as text from scikit-learn's files in
/usr/lib/python3/dist-packages/sklearn/datasets/data/; only a header row of feature names (scikit-learn's) is added,
the label is the last column, and diabetes's space-separated raw file and its separate target become one CSV.
"""
import gzip
import os

from sklearn import datasets

SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
HERE = os.path.dirname(os.path.abspath(__file__))


def copy(source, target, names, label):
    with open(os.path.join(SOURCE, source)) as f:
        lines = f.read().splitlines()[1:]  # scikit-learn's first row holds counts and class names
    with open(os.path.join(HERE, target), "w", newline="\n") as f:
        f.write(",".join(quote(n) for n in [*names, label]) + "\n")
        for line in lines:
            if line.strip():
                f.write(line.strip() + "\n")


def quote(name):
    return f'"{name}"' if "," in name or " " in name else name


def main():
    copy("wine_data.csv", "wine.csv", datasets.load_wine().feature_names, "class")
    copy("breast_cancer.csv", "breast_cancer.csv", datasets.load_breast_cancer().feature_names, "benign")
    with gzip.open(os.path.join(SOURCE, "diabetes_data_raw.csv.gz"), "rt") as f:
        rows = [line.split() for line in f.read().splitlines() if line.strip()]
    with gzip.open(os.path.join(SOURCE, "diabetes_target.csv.gz"), "rt") as f:
        targets = [line.strip() for line in f.read().splitlines() if line.strip()]
    assert len(rows) == len(targets) == 442
    names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    with open(os.path.join(HERE, "diabetes.csv"), "w", newline="\n") as f:
        f.write(",".join([*names, "progression"]) + "\n")
        for row, target in zip(rows, targets):
            value = float(target)
            assert value == int(value)
            f.write(",".join([*row, str(int(value))]) + "\n")


if __name__ == "__main__":
    main()
