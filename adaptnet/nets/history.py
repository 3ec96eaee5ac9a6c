"""The per-epoch training record of an estimator, sliceable like skorch's ``History``."""


class History(list):
    """A list of dicts, one per epoch, with ``history[rows, key]`` slicing.

    ``history[-1]`` is the last epoch's row, ``history[:, "valid_loss"]`` the
    list of validation losses, ``history[-1, ("epoch", "train_loss")]`` a
    tuple of values from the last row. Slicing rows returns a ``History``.

    Parameters
    ----------
    rows : iterable of dict, optional
        Initial rows.

    Raises
    ------
    KeyError
        When a selected row lacks a requested key; the message lists the
        keys the row has.

    Examples
    --------
    >>> h = History([{"epoch": 1, "train_loss": 0.9}, {"epoch": 2, "train_loss": 0.5}])
    >>> h[:, "train_loss"]
    [0.9, 0.5]
    >>> h[-1, ("epoch", "train_loss")]
    (2, 0.5)
    >>> len(h[1:])
    1
    """

    def __getitem__(self, index):
        if isinstance(index, tuple):
            if len(index) != 2:
                raise IndexError(f"History: expected history[rows, key], got {len(index)} indices")
            rows, keys = index
            selected = super().__getitem__(rows)
            if isinstance(rows, slice):
                return [self._pick(row, keys) for row in selected]
            return self._pick(selected, keys)
        selected = super().__getitem__(index)
        return History(selected) if isinstance(index, slice) else selected

    @staticmethod
    def _pick(row, keys):
        wanted = keys if isinstance(keys, (list, tuple)) else [keys]
        missing = [k for k in wanted if k not in row]
        if missing:
            raise KeyError(
                f"History: key {missing[0]!r} not in epoch {row.get('epoch')}; "
                f"available keys: {sorted(row)}"
            )
        if isinstance(keys, (list, tuple)):
            return tuple(row[k] for k in keys)
        return row[keys]
