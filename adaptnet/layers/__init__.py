"""Lasagne-compatible layers: ``from adaptnet.layers import DenseLayer`` etc."""
from .base import Layer, MergeLayer
from .dense import DenseLayer, NINLayer
from .helper import (count_params, get_all_layers, get_all_param_values, get_all_params,
                     get_output, get_output_shape, set_all_param_values)
from .input import InputLayer
from .special import (ExpressionLayer, GradientReversalLayer, NonlinearityLayer,
                      ReverseGradientLayer, reverse_gradient)
