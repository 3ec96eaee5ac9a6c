"""Endless, reshuffled index streams used to pair source and target batches."""
import numpy as np


class CyclicSampler:
    """Draw sample indices in passes over ``n`` samples, reshuffling before each pass.

    :class:`~adaptnet.AdversarialNet` keeps one sampler per domain; an epoch
    takes as many indices as the larger domain has samples, so the larger
    domain is visited exactly once per epoch and the smaller one is cycled.

    Parameters
    ----------
    n : int
        Number of samples.
    shuffle : bool
        Visit the samples in a new random order on each pass.
    seed : int or None
        Seed of the sampler's ``numpy.random.RandomState``.

    Examples
    --------
    >>> s = CyclicSampler(3, shuffle=False)
    >>> s.take(2).tolist(), s.take(2).tolist()
    ([0, 1], [2, 0])
    """

    def __init__(self, n, shuffle=True, seed=None):
        self.n = n
        self.shuffle = shuffle
        self.random = np.random.RandomState(seed)
        self.order = np.arange(0)
        self.position = 0

    def take(self, k):
        """Return the next ``k`` indices (``k`` may exceed ``n``).

        Parameters
        ----------
        k : int

        Returns
        -------
        numpy.ndarray of int
        """
        chunks = []
        while k > 0:
            if self.position >= len(self.order):
                self.order = self.random.permutation(self.n) if self.shuffle else np.arange(self.n)
                self.position = 0
            chunk = self.order[self.position:self.position + k]
            self.position += len(chunk)
            k -= len(chunk)
            chunks.append(chunk)
        return np.concatenate(chunks)
