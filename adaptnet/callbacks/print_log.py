"""nolearn's per-epoch progress table, printed by the estimators when ``verbose >= 1``."""
import numbers

from .base import Callback

_CYAN, _GREEN, _RESET = "\033[36m", "\033[32m", "\033[0m"

# (history key, column title) in nolearn's order; other numeric keys follow, then ``dur``.
_COLUMNS = [("epoch", "epoch"), ("train_loss", "trn loss"), ("valid_loss", "val loss"),
            ("trn/val", "trn/val"), ("valid_accuracy", "valid acc")]
_HIDDEN = {"dur", "train_loss_best", "valid_loss_best"}


class PrintLog(Callback):
    """Print one table row per epoch, like nolearn's ``PrintLog``.

    Columns: epoch, training loss, validation loss, their ratio, validation
    accuracy, then every other numeric key of the history row (custom scores,
    the adversarial losses, target accuracy) and the epoch's duration. The
    best training (cyan) and validation (green) losses so far are highlighted
    with ANSI colours. The header is printed with the first row of each run.

    Parameters
    ----------
    color : bool
        Highlight the best losses.

    Examples
    --------
    >>> log = PrintLog(color=False)
    >>> log.on_epoch_end(None, {"epoch": 1, "train_loss": 0.5, "valid_loss": 0.25,
    ...                         "valid_accuracy": 0.9, "dur": 0.1,
    ...                         "train_loss_best": True, "valid_loss_best": True})
      epoch    trn loss    val loss    trn/val    valid acc    dur
    -------  ----------  ----------  ---------  -----------  -----
          1     0.50000     0.25000    2.00000      0.90000  0.10s
    """

    def __init__(self, color=True):
        self.color = color
        self.first_row = True

    def on_train_begin(self, net, logs=None):
        self.first_row = True

    def on_epoch_end(self, net, logs=None):
        print(self.format_row(logs, header=self.first_row))
        self.first_row = False

    def format_row(self, row, header=False):
        """Return the table line(s) for one history row.

        Parameters
        ----------
        row : dict
            A history row.
        header : bool
            Prepend the column titles and a rule.

        Returns
        -------
        str
        """
        row = dict(row)
        if "train_loss" in row and "valid_loss" in row and row["valid_loss"]:
            row["trn/val"] = row["train_loss"] / row["valid_loss"]
        known = {key for key, _ in _COLUMNS}
        columns = [(key, title) for key, title in _COLUMNS if key in row]
        columns += [(key, key) for key, value in row.items()
                    if key not in known and key not in _HIDDEN
                    and isinstance(value, numbers.Real) and not isinstance(value, bool)]
        titles, cells = [], []
        for key, title in columns:
            value = row[key]
            text = str(value) if key == "epoch" else f"{value:.5f}"
            width = max(len(title), len(text)) + 2
            colour = {"train_loss": _CYAN, "valid_loss": _GREEN}.get(key)
            if self.color and colour and row.get(f"{key}_best"):
                text = f"{colour}{text.rjust(width)}{_RESET}"
            else:
                text = text.rjust(width)
            titles.append((title, width))
            cells.append(text)
        if "dur" in row:
            dur = f"{row['dur']:.2f}s"
            titles.append(("dur", max(3, len(dur))))
            cells.append(dur.rjust(max(3, len(dur))))
        line = "  ".join(cells)
        if not header:
            return line
        head = "  ".join(t.rjust(w) for t, w in titles)
        rule = "  ".join("-" * w for _, w in titles)
        return f"{head}\n{rule}\n{line}"
