"""Keras-style training callbacks: ``from adaptnet.callbacks import EarlyStopping`` etc.

Pass them to an estimator as ``callbacks=[...]``; they run in that order, so
place scorers (:class:`ReverseValidation`, :class:`DomainEmbeddedValidation`)
before the callbacks that monitor their keys, and :class:`ModelCheckpoint`
last.
"""
from .base import Callback
from .checkpoint import ModelCheckpoint
from .csv_logger import CSVLogger
from .dev import DomainEmbeddedValidation, dev_risk
from .early_stopping import EarlyStopping
from .lambda_scheduler import LambdaScheduler, dann_lambda
from .lr_scheduler import LearningRateScheduler
from .plateau import ReduceLROnPlateau
from .print_log import PrintLog
from .progress_bar import ProgressBar
from .reverse_validation import ReverseValidation
from .scorer import EpochScorer
from .tensorboard import TensorBoard
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "Callback", "CSVLogger", "DomainEmbeddedValidation", "EarlyStopping", "EpochScorer",
    "LambdaScheduler", "LearningRateScheduler", "ModelCheckpoint", "PrintLog", "ProgressBar",
    "ReduceLROnPlateau", "ReverseValidation", "TensorBoard", "TerminateOnNaN", "dann_lambda",
    "dev_risk",
]
