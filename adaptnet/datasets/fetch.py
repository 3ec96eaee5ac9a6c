"""Finding, downloading and verifying the files of the datasets adaptnet knows.

:data:`KNOWN_DATASETS` pins, for each file, the SHA-256 and length of its
*uncompressed* content: mirrors and distributions (Debian's
``dataset-fashion-mnist``, for one) recompress the files, so a digest of the
``.gz`` bytes would reject good copies.

A download goes to a temporary file in the cache folder, is decompressed and
checked against the registry, and only then renamed into place
(``os.replace`` is atomic on one file system): a failed or corrupt download
leaves nothing behind in the cache.
"""
import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

from .idx import parse_idx, read_file_bytes

KNOWN_DATASETS = {
    "mnist": {
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        "system_dirs": (),
        "files": {
            "train-images-idx3-ubyte": ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016),
            "train-labels-idx1-ubyte": ("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008),
            "t10k-images-idx3-ubyte": ("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016),
            "t10k-labels-idx1-ubyte": ("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008),
        },
    },
    "fashion-mnist": {
        "mirrors": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        # where Debian's dataset-fashion-mnist package installs the files
        "system_dirs": ("/usr/share/datasets/fashion-mnist",),
        "files": {
            "train-images-idx3-ubyte": ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
            "train-labels-idx1-ubyte": ("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
            "t10k-images-idx3-ubyte": ("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
            "t10k-labels-idx1-ubyte": ("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
        },
    },
}

_DOWNLOAD_TIMEOUT_S = 60


def get_data_home(cache_dir=None):
    """Return the folder where downloaded datasets are cached.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Explicit folder. Otherwise ``$ADAPTNET_DATA`` when set, else
        ``~/.cache/adaptnet``. The folder is not created here.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> str(get_data_home("/tmp/my-cache"))
    '/tmp/my-cache'
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get("ADAPTNET_DATA")
    if env:
        return Path(env).expanduser()
    return Path("~/.cache/adaptnet").expanduser()


def content_sha256(data):
    """Return the SHA-256 hex digest of ``data``.

    Parameters
    ----------
    data : bytes
        Uncompressed file content (see :func:`adaptnet.datasets.idx.read_file_bytes`).

    Returns
    -------
    str

    Examples
    --------
    >>> content_sha256(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


def check_known_content(dataset, name, data, filename):
    """Raise unless ``data`` is the registered content of file ``name`` of ``dataset``.

    Parameters
    ----------
    dataset : str
        A key of :data:`KNOWN_DATASETS`.
    name : str
        A file name (without ``.gz``) registered for ``dataset``.
    data : bytes
        Uncompressed content.
    filename : str or os.PathLike
        Where the content came from, for the error message.

    Raises
    ------
    ValueError
        If the length or the SHA-256 digest differ from the registry.

    Examples
    --------
    >>> check_known_content("mnist", "t10k-labels-idx1-ubyte", b"xx", "f")
    Traceback (most recent call last):
    ...
    ValueError: check_known_content: 'f' is not the known mnist file t10k-labels-idx1-ubyte: 2 bytes, expected 10008
    """
    digest, size = KNOWN_DATASETS[dataset]["files"][name]
    where = os.fspath(filename)
    if len(data) != size:
        raise ValueError(f"check_known_content: {where!r} is not the known {dataset} file {name}: "
                         f"{len(data)} bytes, expected {size}")
    actual = content_sha256(data)
    if actual != digest:
        raise ValueError(f"check_known_content: {where!r} is not the known {dataset} file {name}: "
                         f"SHA-256 {actual}, expected {digest}")


def _find_in(folder, name):
    for candidate in (Path(folder) / name, Path(folder) / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing_message(dataset, names, folders):
    places = " or ".join(repr(os.fspath(f)) for f in folders)
    listed = ", ".join(names)
    return (f"the {dataset} files {listed} were not found; put the four files "
            f"{', '.join(KNOWN_DATASETS[dataset]['files'])} (plain or .gz) in {places}, "
            "or pass path=<folder holding them>")


def _download(dataset, name, folder, mirrors):
    """Fetch ``name`` from the first mirror that serves verified content; return the final path."""
    errors, corrupt = [], False
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{name}.gz"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            data = read_file_bytes(tmp)
            check_known_content(dataset, name, data, url)
            parse_idx(data, url)
            final = folder / f"{name}.gz"
            os.replace(tmp, final)
            return final
        except ValueError as exc:
            corrupt = True
            errors.append(f"{url}: {exc}")
        except OSError as exc:
            errors.append(f"{url}: {exc}")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    detail = "; ".join(errors)
    if corrupt:
        raise ValueError(f"download of {dataset} file {name} failed verification, nothing was cached: {detail}")
    raise OSError(detail)


def locate_dataset_files(dataset, path=None, cache_dir=None, download=True, mirrors=None):
    """Find (or download) the files of a known dataset.

    Parameters
    ----------
    dataset : str
        A key of :data:`KNOWN_DATASETS` (``"mnist"``, ``"fashion-mnist"``).
    path : str or os.PathLike, optional
        Folder holding the files (plain or ``.gz``); when given, nothing else
        is searched and nothing is downloaded.
    cache_dir : str or os.PathLike, optional
        Cache root (see :func:`get_data_home`); files live in
        ``<cache root>/<dataset>/``.
    download : bool
        Download files that are in no known location.
    mirrors : sequence of str, optional
        Base URLs to download from, in order (any scheme ``urllib`` opens,
        ``file://`` included); default: the registry's mirrors.

    Returns
    -------
    dict
        File name -> ``(pathlib.Path, verified)``, where ``verified`` says
        whether the content must match the registry (files in the cache and
        system folders must; files under ``path`` are the user's own).

    Raises
    ------
    ValueError
        If ``dataset`` is unknown, or a download fails verification.
    FileNotFoundError
        If files are missing and cannot be downloaded; the message lists the
        file names and where to put them.

    Examples
    --------
    >>> import tempfile
    >>> locate_dataset_files("mnist", cache_dir=tempfile.mkdtemp(), download=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: locate_dataset_files: the mnist files ... were not found; put the four files ...
    """
    if dataset not in KNOWN_DATASETS:
        raise ValueError(f"locate_dataset_files: dataset must be one of {sorted(KNOWN_DATASETS)}, got {dataset!r}")
    names = list(KNOWN_DATASETS[dataset]["files"])
    if path is not None:
        found = {name: _find_in(path, name) for name in names}
        missing = [name for name, p in found.items() if p is None]
        if missing:
            raise FileNotFoundError("locate_dataset_files: " + _missing_message(dataset, missing, [path]))
        return {name: (p, False) for name, p in found.items()}

    cache = get_data_home(cache_dir) / dataset
    folders = [cache, *KNOWN_DATASETS[dataset]["system_dirs"]]
    found = {}
    for name in names:
        for folder in folders:
            p = _find_in(folder, name)
            if p is not None:
                found[name] = (p, True)
                break
    missing = [name for name in names if name not in found]
    if not missing:
        return found
    if not download:
        raise FileNotFoundError("locate_dataset_files: " + _missing_message(dataset, missing, folders)
                                + " (download=False)")

    created = [p for p in (cache, *cache.parents) if not p.exists()]
    cache.mkdir(parents=True, exist_ok=True)
    try:
        for name in missing:
            found[name] = (_download(dataset, name, cache, mirrors or KNOWN_DATASETS[dataset]["mirrors"]), True)
    except OSError as exc:
        raise FileNotFoundError(f"locate_dataset_files: {_missing_message(dataset, missing, folders)}; "
                                f"the download failed: {exc}") from exc
    finally:
        # leave no empty folders behind when nothing could be cached
        for p in created:
            if p.exists() and not any(p.iterdir()):
                p.rmdir()
    return found
