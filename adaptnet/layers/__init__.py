"""Lasagne-compatible layers: ``from adaptnet.layers import DenseLayer`` etc."""
from .base import Layer, MergeLayer
from .conv import Conv2DLayer, conv_output_length
from .pool import GlobalPoolLayer, MaxPool2DLayer, Pool2DLayer, pool_output_length
from .dense import DenseLayer, NINLayer
from .helper import (count_params, get_all_layers, get_all_param_values, get_all_params,
                     get_output, get_output_shape, set_all_param_values)
from .input import InputLayer
from .merge import (ConcatLayer, ElemwiseMergeLayer, ElemwiseSumLayer, autocrop,
                    autocrop_array_shapes, concat)
from .noise import DropoutLayer, GaussianNoiseLayer, dropout
from .normalization import BatchNormLayer, batch_norm
from .shape import DimshuffleLayer, FlattenLayer, ReshapeLayer, dimshuffle, flatten, reshape
from .special import (ExpressionLayer, GradientReversalLayer, NonlinearityLayer,
                      ReverseGradientLayer, reverse_gradient)
