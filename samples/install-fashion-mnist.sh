#!/bin/sh
# Installs Debian's dataset-fashion-mnist package: Fashion-MNIST's four gzipped IDX files (a 31 MB download, 30 MB on disk)
# in /usr/share/datasets/fashion-mnist, which samples/Mnist, MnistConv and FashionResNet read by default and the
# end-to-end tests train on. The README's first command runs it; .ci/run too.
#
# - Already installed: prints one line and does nothing else.
# - As root it runs apt-get itself (no sudo needed, as in a container); as another user it runs apt-get through sudo
#   (which asks for your password), and without sudo it says how to get root and stops.
# - When the package lists are empty (a fresh machine or container: no /var/lib/apt/lists/*_Packages*), or too old to
#   know the package, it runs `apt-get update` first.
set -eu

dir=/usr/share/datasets/fashion-mnist
if [ -f "$dir/train-images-idx3-ubyte.gz" ] || [ -f "$dir/train-images-idx3-ubyte" ]; then
  echo "Fashion-MNIST is already installed in $dir"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
  echo "Installing dataset-fashion-mnist needs root: running apt-get through sudo"
else
  echo "error: installing dataset-fashion-mnist needs root, and sudo is not installed: run this as root (su -c 'sh $0')," >&2
  echo "or pass the samples --data DIR with any folder of MNIST-format IDX files" >&2
  exit 1
fi

update() {
  echo "Updating the package lists (apt-get update)"
  $as_root apt-get update -qq
}

install() {
  echo "Installing dataset-fashion-mnist (a 31 MB download) into $dir"
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
}

if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
  update
  install
elif ! install; then
  update # lists too old to know the package (or a mirror that moved): once more with fresh ones
  install
fi
if [ ! -f "$dir/train-images-idx3-ubyte.gz" ]; then
  echo "error: apt-get finished, but $dir/train-images-idx3-ubyte.gz is not there" >&2
  exit 1
fi
echo "Fashion-MNIST is installed in $dir"
