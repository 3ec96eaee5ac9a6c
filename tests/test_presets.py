"""Architecture presets (adaptnet.presets)."""
import pytest

from adaptnet import nonlinearities, presets


def test_mlp_domain_nonlinearity_defaults_to_the_feature_nonlinearity():
    arch = presets.mlp((2,), 2, hidden_units=[4], domain_hidden_units=[3, 3], nonlinearity="tanh")
    assert [kw["nonlinearity"] for _, kw in arch["domain_layers"]] == [
        nonlinearities.tanh, nonlinearities.tanh, nonlinearities.sigmoid]


def test_mlp_domain_nonlinearity_applies_to_the_domain_head_only():
    arch = presets.mlp((2,), 2, hidden_units=[4, 4], domain_hidden_units=[3, 3], nonlinearity="tanh",
                       domain_nonlinearity="rectify")
    assert [kw["nonlinearity"] for _, kw in arch["layers"][1:-1]] == [nonlinearities.tanh] * 2
    assert [kw["nonlinearity"] for _, kw in arch["domain_layers"]] == [
        nonlinearities.rectify, nonlinearities.rectify, nonlinearities.sigmoid]


@pytest.mark.parametrize("argument", ["nonlinearity", "domain_nonlinearity"])
def test_mlp_unknown_nonlinearity_names_the_argument(argument):
    with pytest.raises(ValueError, match=f"mlp: {argument} must be the name of a function"):
        presets.mlp((2,), 2, **{argument: "swishy"})
