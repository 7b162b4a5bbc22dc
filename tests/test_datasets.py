"""Dataset loaders: documented shapes, checksums verified, clear Spanish errors, no network."""

import shutil

import numpy as np
import pytest

from autograder import datasets
from autograder.datasets import DatasetError

from .conftest import ROOT


def test_data_folder_matches_its_checksum_file():
    sums = dict(
        reversed(line.split(maxsplit=1))
        for line in (ROOT / "data" / "SHA256SUMS").read_text().splitlines()
        if line
    )
    assert sums == datasets.SHA256


def test_boston_shapes_and_b_left_out():
    X, y, names = datasets.load_boston()
    assert X.shape == (506, 12) and y.shape == (506,) and X.dtype == np.float64
    assert "B" not in names and len(names) == 12
    assert y.mean() == pytest.approx(22.532806, abs=1e-6)
    X13, _, names13 = datasets.load_boston(drop_b=False)
    assert X13.shape == (506, 13) and "B" in names13


def test_breast_cancer_shapes():
    X, y, names = datasets.load_breast_cancer()
    assert X.shape == (569, 30) and y.shape == (569,) and len(names) == 30
    assert np.bincount(y).tolist() == [212, 357]


def test_mnist_shapes_and_counts():
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_fashion_mnist_shapes_and_balance():
    (x_train, y_train), (x_test, y_test) = datasets.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert len(datasets.FASHION_CLASSES_ES) == 10


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of the small data files, used through IAP_DATA_DIR."""
    shutil.copy(ROOT / "data" / "boston_housing.csv", tmp_path / "boston_housing.csv")
    monkeypatch.setenv("IAP_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(datasets, "_VERIFIED", set())
    return tmp_path


def test_missing_file_gives_a_spanish_message(data_copy):
    with pytest.raises(DatasetError, match="No se encontró el archivo de datos «mnist.npz»"):
        datasets.load_mnist()


def test_corrupt_file_is_rejected(data_copy):
    path = data_copy / "boston_housing.csv"
    path.write_text(path.read_text().replace("24", "25", 1))
    with pytest.raises(DatasetError, match="dañado"):
        datasets.load_boston()


def test_mnist_arrays_are_verified(data_copy):
    real = np.load(ROOT / "data" / "mnist.npz")
    arrays = {k: real[k] for k in real.files}
    arrays["y_test"] = arrays["y_test"].copy()
    arrays["y_test"][0] = (arrays["y_test"][0] + 1) % 10
    np.savez_compressed(data_copy / "mnist.npz", **arrays)
    with pytest.raises(DatasetError, match="y_test"):
        datasets.load_mnist()
    (data_copy / "mnist.npz").write_bytes(b"not a zip file")
    datasets._VERIFIED.clear()
    with pytest.raises(DatasetError, match="dañado"):
        datasets.load_mnist()


def test_download_is_checked_and_never_default(data_copy, monkeypatch, tmp_path_factory):
    """download=True fetches from the configured URL (here a local file) and verifies it."""
    served = tmp_path_factory.mktemp("served")
    good = served / "mnist.npz"
    shutil.copy(ROOT / "data" / "mnist.npz", good)
    monkeypatch.setitem(datasets.DOWNLOAD_URLS, "mnist.npz", good.as_uri())
    with pytest.raises(DatasetError):
        datasets.load_mnist()  # no download unless asked
    (x_train, _), _ = datasets.load_mnist(download=True)
    assert x_train.shape == (60000, 28, 28)
    # a tampered download is refused
    bad = served / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(b"\x1f\x8b tampered")
    monkeypatch.setitem(
        datasets.DOWNLOAD_URLS, "fashion-mnist/t10k-labels-idx1-ubyte.gz", bad.as_uri()
    )
    for name in (
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
    ):
        (data_copy / "fashion-mnist").mkdir(exist_ok=True)
        shutil.copy(ROOT / "data" / "fashion-mnist" / name, data_copy / "fashion-mnist" / name)
    with pytest.raises(DatasetError, match="dañado"):
        datasets.load_fashion_mnist(download=True)
