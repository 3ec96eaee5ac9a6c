"""Mini-batch iteration over arrays, compatible with ``nolearn.lasagne.BatchIterator``."""
import numpy as np

from ..utils import check_positive_int


class BatchIterator:
    """Split ``X`` (and ``y``) into mini-batches, optionally shuffled.

    Calling the iterator with data returns the iterator itself; iterating
    yields ``transform(Xb, yb)`` for each batch. Subclasses override
    :meth:`transform` for data augmentation, as in nolearn.

    Estimators copy their iterators when they initialize and, given a
    ``random_state``, reseed the copy's ``random``; the iterator passed in
    is never changed.

    Parameters
    ----------
    batch_size : int
        Number of samples per batch; the last batch may be smaller. A batch
        size larger than the data gives a single batch.
    shuffle : bool
        Visit the samples in a new random order on each call.
    seed : int
        Seed of ``random``, the ``numpy.random.RandomState`` used for shuffling.

    Raises
    ------
    ValueError
        If ``batch_size`` is not a positive integer.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in BatchIterator(batch_size=2)(X, y)]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, batch_size, shuffle=False, seed=42):
        self.batch_size = check_positive_int(batch_size, "batch_size", "BatchIterator")
        self.shuffle = shuffle
        self.seed = seed
        self.random = np.random.RandomState(seed)

    def __call__(self, X, y=None):
        """Set the data to iterate over (drawing a new order when shuffling).

        Parameters
        ----------
        X : numpy.ndarray
        y : numpy.ndarray, optional

        Returns
        -------
        BatchIterator
            ``self``.
        """
        self.X, self.y = X, y
        self.order = self.random.permutation(len(X)) if self.shuffle else None
        return self

    @property
    def n_samples(self):
        """Number of samples of the current data."""
        return len(self.X)

    @property
    def n_batches(self):
        """Number of batches of the current data."""
        return -(-self.n_samples // self.batch_size)

    def __iter__(self):
        for start in range(0, self.n_samples, self.batch_size):
            index = slice(start, start + self.batch_size)
            if self.order is not None:
                index = self.order[index]
            yield self.transform(self.X[index], None if self.y is None else self.y[index])

    def transform(self, Xb, yb):
        """Return the batch to train on (identity; override for augmentation).

        Parameters
        ----------
        Xb : numpy.ndarray
        yb : numpy.ndarray or None

        Returns
        -------
        tuple
            ``(Xb, yb)``.
        """
        return Xb, yb

    def __getstate__(self):
        # the data is transient: never pickle it with the net
        state = dict(self.__dict__)
        for key in ("X", "y", "order"):
            state.pop(key, None)
        return state
