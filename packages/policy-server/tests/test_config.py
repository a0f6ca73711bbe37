"""The tiny config rejects unknown keys and wrong types, naming the field."""
import pytest

from molrl_policy.config import ConfigError, tiny_config_from_json


def test_defaults_and_overrides():
    c = tiny_config_from_json('{"n_layer": 2, "dropout": 0}')
    assert (c.n_layer, c.n_head, c.d_model, c.context, c.dropout) == (2, 4, 128, 64, 0.0)


@pytest.mark.parametrize("text,path", [('{"n_layers": 2}', "n_layers"), ('{"d_model": "128"}', "d_model"),
                                       ('{"context": true}', "context"), ('{"d_model": 130}', "d_model"),
                                       ('{"n_layer": 0}', "n_layer")])
def test_bad_configs_are_rejected_with_the_field(text, path):
    with pytest.raises(ConfigError) as e:
        tiny_config_from_json(text)
    assert e.value.path == path


def test_not_an_object():
    with pytest.raises(ConfigError):
        tiny_config_from_json("[1]")
