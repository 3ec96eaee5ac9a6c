"""Tests of adaptnet.datasets: generators, IDX parsing, the MNIST loaders and their cache."""
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
import skimage.io

from adaptnet.datasets import (KNOWN_DATASETS, blend_with_photos, get_data_home, load_background_photos,
                               load_digits_m, load_fashion_mnist, load_mnist, make_fashion_mnist_m,
                               make_mnist_m, make_moons_da, read_idx, write_idx)
from adaptnet.datasets.idx import parse_idx

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
needs_mnist = pytest.mark.skipif(not SHARED_MNIST.is_dir(),
                                 reason=f"real MNIST files not found in {SHARED_MNIST}")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(not DEBIAN_FASHION.is_dir(),
                                   reason=f"Debian's dataset-fashion-mnist is not installed ({DEBIAN_FASHION})")
MNIST_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte"]


def files_under(folder):
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).exists() else []


# ---------------------------------------------------------------- moons

def test_moons_shapes_dtypes_and_balance():
    Xs, ys, Xt, yt = make_moons_da(random_state=0)
    assert Xs.shape == Xt.shape == (300, 2)
    assert Xs.dtype == Xt.dtype == np.float32
    assert ys.dtype == yt.dtype == np.int32
    assert np.bincount(ys).tolist() == np.bincount(yt).tolist() == [150, 150]


def test_moons_target_is_the_rotated_distribution():
    angle = 35.0
    Xs, ys, Xt, yt = make_moons_da(n_samples=60, noise=0.0, rotation=angle, random_state=1)
    theta = np.deg2rad(-angle)
    back = np.empty_like(Xt, dtype=np.float64)
    for i, (x, y) in enumerate(Xt.astype(np.float64) - [0.5, 0.25]):
        back[i] = (np.cos(theta) * x - np.sin(theta) * y + 0.5, np.sin(theta) * x + np.cos(theta) * y + 0.25)
    # noiseless moons: the upper one is the unit half-circle, the lower one centred at (1, 0.5)
    upper, lower = back[yt == 0], back[yt == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1, atol=1e-5)
    assert np.all(upper[:, 1] > -1e-5)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-5)
    assert np.all(lower[:, 1] < 0.5 + 1e-5)
    # the target sample is not on the unrotated moons
    assert not np.allclose(np.hypot(Xt[yt == 0, 0], Xt[yt == 0, 1]), 1, atol=1e-2)
    np.testing.assert_allclose(np.hypot(Xs[ys == 0, 0], Xs[ys == 0, 1]), 1, atol=1e-5)


def test_moons_determinism():
    a, b, c = (make_moons_da(50, random_state=s) for s in (3, 3, 4))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], a[2])


@pytest.mark.parametrize("kwargs, word", [({"n_samples": 0}, "n_samples"), ({"noise": -1}, "noise"),
                                          ({"rotation": np.nan}, "rotation")])
def test_moons_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=f"make_moons_da.*{word}"):
        make_moons_da(**kwargs)


# ---------------------------------------------------------------- IDX

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    fn = tmp_path / f"a{suffix}"
    write_idx(fn, arr)
    assert (fn.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")
    out = read_idx(fn)
    assert out.dtype == dtype and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


def test_idx_parse_by_hand():
    # 2x2 big-endian int16: type code 0x0B, 2 dims of size 1 and 2, values 258 and -1
    data = bytes([0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 0xFF, 0xFF])
    np.testing.assert_array_equal(parse_idx(data), np.array([[258, -1]], dtype=np.int16))


def test_idx_gzip_detected_from_content(tmp_path):
    fn = tmp_path / "plain-named.gz"
    fn.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 5, 6]))
    np.testing.assert_array_equal(read_idx(fn), [5, 6])


@pytest.mark.parametrize("data, message", [
    (bytes([0, 0, 8]), "too short"),
    (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "wrong magic"),
    (bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), "wrong magic"),
    (bytes([0, 0, 8, 0]), "wrong magic"),
    (bytes([0, 0, 8, 3, 0, 0, 0, 1]), "inside its header"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 3, 5, 6]), "truncated"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 1, 5, 6]), "longer"),
])
def test_idx_corrupt(tmp_path, data, message):
    fn = tmp_path / "bad-idx1-ubyte"
    fn.write_bytes(data)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(fn)
    assert str(fn) in str(info.value)


def test_idx_truncated_gzip(tmp_path):
    fn = tmp_path / "x.gz"
    fn.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 100]) + bytes(100))[:-12])
    with pytest.raises(ValueError, match="truncated or corrupt gzip") as info:
        read_idx(fn)
    assert str(fn) in str(info.value)


def test_write_idx_bad_input(tmp_path):
    with pytest.raises(TypeError, match="write_idx.*dtype"):
        write_idx(tmp_path / "a", np.zeros(2, dtype=np.uint16))
    with pytest.raises(ValueError, match="write_idx.*0-d"):
        write_idx(tmp_path / "a", np.uint8(3))


# ---------------------------------------------------------------- loaders on tiny files

def write_tiny_mnist(folder, n_train=5, n_test=3, seed=0, gz=True):
    """Write the four MNIST files with random content; return {name: uncompressed bytes}."""
    rng = np.random.RandomState(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    contents = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        for name, arr in ((f"{prefix}-images-idx3-ubyte", rng.randint(0, 256, (n, 28, 28)).astype(np.uint8)),
                          (f"{prefix}-labels-idx1-ubyte", rng.randint(0, 10, n).astype(np.uint8))):
            fn = folder / (name + (".gz" if gz else ""))
            write_idx(fn, arr)
            contents[name] = gzip.decompress(fn.read_bytes()) if gz else fn.read_bytes()
    return contents


@pytest.mark.parametrize("gz", [True, False])
def test_load_tiny_files(tmp_path, gz):
    write_tiny_mnist(tmp_path, gz=gz)
    X, y = load_mnist(path=tmp_path, kind="train")
    raw = read_idx(next(tmp_path.glob("train-images*")))
    assert X.shape == (5, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_allclose(X[:, 0] * 255, raw, atol=1e-4)
    np.testing.assert_array_equal(y, read_idx(next(tmp_path.glob("train-labels*"))))
    Xt, yt = load_fashion_mnist(path=tmp_path, kind="test")
    assert Xt.shape == (3, 1, 28, 28) and 0 <= Xt.min() and Xt.max() <= 1


@pytest.mark.parametrize("name, arr, message", [
    ("train-images-idx3-ubyte", np.zeros((5, 5, 5), np.uint8), r"size \(5, 5\)"),
    ("train-images-idx3-ubyte", np.zeros((4, 28, 28), np.uint8), "4 images but .* 5 labels"),
    ("train-images-idx3-ubyte", np.zeros((5, 28, 28), np.int16), "uint8"),
    ("train-labels-idx1-ubyte", np.zeros((5, 1), np.uint8), "1-d uint8"),
    ("train-labels-idx1-ubyte", np.array([0, 1, 2, 3, 10], np.uint8), "label 10"),
])
def test_load_inconsistent_files(tmp_path, name, arr, message):
    write_tiny_mnist(tmp_path, gz=False)
    write_idx(tmp_path / name, arr)
    with pytest.raises(ValueError, match=f"load_mnist: .*{message}") as info:
        load_mnist(path=tmp_path)
    assert "train-" in str(info.value)


@pytest.mark.parametrize("damage", ["magic", "truncate"])
def test_load_corrupt_file_names_it(tmp_path, damage):
    write_tiny_mnist(tmp_path, gz=False)
    fn = tmp_path / "t10k-images-idx3-ubyte"
    data = fn.read_bytes()
    fn.write_bytes(b"\x00\x00\x08\x07" + data[4:] if damage == "magic" else data[:-100])
    with pytest.raises(ValueError) as info:
        load_mnist(path=tmp_path, kind="test")
    assert str(fn) in str(info.value)


def test_load_missing_files_lists_them(tmp_path):
    write_tiny_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(path=tmp_path)
    text = str(info.value)
    assert "t10k-labels-idx1-ubyte were not found" in text and str(tmp_path) in text
    assert all(name in text for name in MNIST_NAMES)


def test_load_bad_kind(tmp_path):
    with pytest.raises(ValueError, match="load_mnist: kind must be 'train' or 'test', got 'valid'"):
        load_mnist(path=tmp_path, kind="valid")


# ---------------------------------------------------------------- cache and download

def test_data_home(monkeypatch, tmp_path):
    monkeypatch.delenv("ADAPTNET_DATA", raising=False)
    assert get_data_home() == Path.home() / ".cache" / "adaptnet"
    monkeypatch.setenv("ADAPTNET_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    assert get_data_home(tmp_path / "x") == tmp_path / "x"


def test_no_files_no_download(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("ADAPTNET_DATA", str(cache))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(download=False)
    text = str(info.value)
    assert str(cache / "mnist") in text and all(name in text for name in MNIST_NAMES)
    assert not cache.exists()


@pytest.fixture
def tiny_registry(tmp_path, monkeypatch):
    """A mirror folder of tiny MNIST files, registered (digest and size) in place of the real ones."""
    contents = write_tiny_mnist(tmp_path / "mirror")
    files = {name: (hashlib.sha256(data).hexdigest(), len(data)) for name, data in contents.items()}
    monkeypatch.setitem(KNOWN_DATASETS["mnist"], "files", files)
    return tmp_path / "mirror"


def test_download_verifies_then_caches(tmp_path, tiny_registry):
    cache = tmp_path / "cache"
    dead = (tmp_path / "no-such-mirror").as_uri()
    X, y = load_mnist(cache_dir=cache, mirrors=[dead, tiny_registry.as_uri()], kind="test")
    assert X.shape == (3, 1, 28, 28)
    assert [p.name for p in files_under(cache)] == sorted(f"{n}.gz" for n in MNIST_NAMES)
    # now served from the cache, even with downloads off
    X2, y2 = load_mnist(cache_dir=cache, download=False, kind="test")
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_download_falls_back_past_a_corrupt_mirror(tmp_path, tiny_registry):
    bad = tmp_path / "bad-mirror"
    write_tiny_mnist(bad, seed=1)
    X, _ = load_mnist(cache_dir=tmp_path / "cache", mirrors=[bad.as_uri(), tiny_registry.as_uri()])
    np.testing.assert_allclose(X[:, 0] * 255, read_idx(tiny_registry / "train-images-idx3-ubyte.gz"), atol=1e-4)


@pytest.mark.parametrize("damage", ["other content", "truncated gzip", "wrong magic"])
def test_corrupt_download_writes_nothing(tmp_path, tiny_registry, damage):
    fn = tiny_registry / "train-labels-idx1-ubyte.gz"
    if damage == "other content":
        write_idx(fn, np.arange(5, dtype=np.uint8))
    elif damage == "truncated gzip":
        fn.write_bytes(fn.read_bytes()[:-10])
    else:
        data = bytearray(gzip.decompress(fn.read_bytes()))
        data[2] = 0x42
        fn.write_bytes(gzip.compress(bytes(data)))
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.*nothing was cached"):
        load_mnist(cache_dir=cache, mirrors=[tiny_registry.as_uri()])
    assert not any(p.name.startswith("train-labels") or p.suffix == ".part" for p in files_under(cache))


def test_unreachable_mirrors_write_nothing(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(FileNotFoundError, match="download failed") as info:
        load_mnist(cache_dir=cache, mirrors=[(tmp_path / "nowhere").as_uri()])
    assert all(name in str(info.value) for name in MNIST_NAMES)
    assert not cache.exists()


def test_corrupt_cached_file_is_rejected(tmp_path, tiny_registry):
    cache = tmp_path / "cache"
    load_mnist(cache_dir=cache, mirrors=[tiny_registry.as_uri()])
    cached = cache / "mnist" / "train-images-idx3-ubyte.gz"
    write_idx(cached, np.zeros((5, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="is not the known mnist file train-images-idx3-ubyte") as info:
        load_mnist(cache_dir=cache, download=False)
    assert str(cached) in str(info.value)


# ---------------------------------------------------------------- real MNIST / Fashion-MNIST

@needs_mnist
def test_shared_mnist_matches_registry_and_readme_md5():
    from adaptnet.datasets.idx import read_file_bytes

    # MD5s of the uncompressed files, as published with the data (shared/data/mnist/README.md)
    md5 = {"train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
           "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
           "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
           "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637"}
    for name in MNIST_NAMES:
        data = read_file_bytes(SHARED_MNIST / f"{name}.gz")
        assert hashlib.md5(data).hexdigest() == md5[name]
        assert (hashlib.sha256(data).hexdigest(), len(data)) == KNOWN_DATASETS["mnist"]["files"][name]


@needs_mnist
def test_real_mnist_through_path_and_cache(tmp_path):
    X, y = load_mnist(path=SHARED_MNIST, kind="test")
    assert X.shape == (10000, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int32
    assert X.min() == 0 and X.max() == 1
    assert np.allclose(X * 255, np.round(X * 255), atol=1e-3)
    # class counts of the MNIST test set (LeCun et al.)
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    # "downloading" from the shared folder through the real registry
    Xc, yc = load_mnist(cache_dir=tmp_path, mirrors=[SHARED_MNIST.as_uri()], kind="test")
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(y, yc)
    assert len(files_under(tmp_path / "mnist")) == 4


@needs_mnist
def test_real_mnist_train_split():
    X, y = load_mnist(path=SHARED_MNIST, kind="train")
    assert X.shape == (60000, 1, 28, 28)
    assert np.bincount(y).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@needs_fashion
def test_debian_fashion_mnist_default_location(tmp_path):
    X, y = load_fashion_mnist(cache_dir=tmp_path, download=False, kind="test")
    assert X.shape == (10000, 1, 28, 28) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [1000] * 10
    assert not tmp_path.joinpath("fashion-mnist").exists()


# ---------------------------------------------------------------- MNIST-M blending

def find_patch(photos, digit, out):
    """Brute force: every (photo, row, col) whose window blended with ``digit`` gives ``out``."""
    rows, cols = digit.shape
    hits = []
    for p, photo in enumerate(photos):
        for r in range(photo.shape[0] - rows + 1):
            for c in range(photo.shape[1] - cols + 1):
                patch = photo[r:r + rows, c:c + cols].transpose(2, 0, 1)
                if np.allclose(np.abs(patch - digit), out, atol=1e-6):
                    hits.append((p, r, c))
    return hits


def test_blend_against_brute_force():
    rng = np.random.RandomState(0)
    photos = [rng.rand(7, 9, 3).astype(np.float32), rng.rand(6, 6, 3).astype(np.float32)]
    digits = rng.rand(12, 1, 4, 5).astype(np.float32)
    out = blend_with_photos(digits, photos, random_state=3)
    assert out.shape == (12, 3, 4, 5) and out.dtype == np.float32
    used = set()
    for digit, o in zip(digits[:, 0], out):
        hits = find_patch(photos, digit, o)
        assert len(hits) == 1
        used.add(hits[0][0])
    assert used == {0, 1}


def test_make_mnist_m_default_photos_and_determinism():
    rng = np.random.RandomState(0)
    digits = (rng.rand(20, 1, 28, 28) > 0.7).astype(np.float32)
    a = make_mnist_m(digits, random_state=1)
    b = make_mnist_m(digits[:, 0], random_state=1)
    c = make_mnist_m(digits, random_state=2)
    assert a.shape == (20, 3, 28, 28) and a.dtype == np.float32
    assert 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # a real colour photo: channels differ
    assert np.abs(a[:, 0] - a[:, 1]).mean() > 0.01
    np.testing.assert_array_equal(make_fashion_mnist_m(digits, random_state=1), a)


def test_shipped_photos():
    photos = load_background_photos()
    assert len(photos) == 8
    for photo in photos:
        assert photo.ndim == 3 and photo.shape[2] == 3 and photo.dtype == np.float32
        assert min(photo.shape[:2]) >= 28 and 0 <= photo.min() and photo.max() <= 1
        assert photo.std() > 0.05


def test_photos_from_folder(tmp_path):
    rgba = np.zeros((30, 31, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 255
    skimage.io.imsave(tmp_path / "b.png", rgba, check_contrast=False)
    skimage.io.imsave(tmp_path / "a.png", np.full((29, 28), 51, np.uint8), check_contrast=False)
    (tmp_path / "notes.txt").write_text("not an image")
    grey, red = load_background_photos(tmp_path)
    assert grey.shape == (29, 28, 3) and red.shape == (30, 31, 3)
    np.testing.assert_allclose(grey, 0.2, atol=1e-6)
    np.testing.assert_allclose(red[..., 0], 200 / 255, atol=1e-6)
    assert make_mnist_m(np.zeros((2, 28, 28), np.float32), tmp_path, random_state=0).shape == (2, 3, 28, 28)


def test_bad_backgrounds(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_background_photos(tmp_path / "missing")
    with pytest.raises(ValueError, match="no image files"):
        load_background_photos(tmp_path)
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        load_background_photos(np.full((4, 4, 3), 2.0))
    with pytest.raises(TypeError, match="dtype int16"):
        load_background_photos(np.zeros((4, 4, 3), np.int16))
    with pytest.raises(ValueError, match="photo 0 has shape"):
        load_background_photos([np.zeros((4, 4, 2))])
    with pytest.raises(TypeError, match="backgrounds must be"):
        load_background_photos(42)
    with pytest.raises(ValueError, match=r"make_mnist_m: background photo 0 is \(4, 4\)"):
        make_mnist_m(np.zeros((1, 28, 28), np.float32), np.zeros((4, 4, 3), np.uint8))


@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 2, 28, 28)), "shape"),
    (np.zeros((28, 28)), "shape"),
    (np.zeros((0, 28, 28)), "shape"),
    (np.full((1, 28, 28), 255.0), r"\[0, 1\]"),
    (np.full((1, 28, 28), np.nan), r"\[0, 1\]"),
])
def test_make_mnist_m_bad_images(images, message):
    with pytest.raises(ValueError, match=f"make_mnist_m: images.*{message}"):
        make_mnist_m(images)


# ---------------------------------------------------------------- Digits -> Digits-M

def test_digits_m_halves():
    from sklearn.datasets import load_digits

    Xs, ys, Xt, yt = load_digits_m(random_state=0)
    assert Xs.shape == (898, 3, 8, 8) and Xt.shape == (899, 3, 8, 8)
    assert Xs.dtype == Xt.dtype == np.float32 and ys.dtype == yt.dtype == np.int32
    assert 0 <= Xt.min() and Xt.max() <= 1 and 0 <= Xs.min() and Xs.max() <= 1
    np.testing.assert_array_equal(Xs[:, 0], Xs[:, 1])
    np.testing.assert_array_equal(Xs[:, 0], Xs[:, 2])
    full = load_digits()
    assert (np.bincount(ys) + np.bincount(yt)).tolist() == np.bincount(full.target).tolist()
    assert np.abs(np.bincount(ys) - np.bincount(yt)).max() <= 1
    # every source image is one of scikit-learn's digits, with its label
    lookup = {img.tobytes(): label for img, label in zip((full.images / 16).astype(np.float32), full.target)}
    assert all(lookup[img.tobytes()] == label for img, label in zip(Xs[:, 0], ys))


def test_digits_m_determinism():
    a, b, c = (load_digits_m(random_state=s) for s in (5, 5, 6))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[2], c[2])


def test_digits_m_shift_is_real():
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    Xs, ys, Xt, yt = load_digits_m(random_state=0)
    flat_s, flat_t = Xs.reshape(len(Xs), -1), Xt.reshape(len(Xt), -1)
    clf = KNeighborsClassifier(3)
    in_domain = cross_val_score(clf, flat_s, ys, cv=3).mean()
    across = clf.fit(flat_s, ys).score(flat_t, yt)
    assert in_domain > 0.9
    assert across < in_domain - 0.3
