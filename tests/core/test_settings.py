import pytest

from agent.errors import ConfigError
from agent.settings import load_settings


def test_defaults_listen_on_loopback() -> None:
    settings = load_settings({})
    assert settings.listen == "127.0.0.1:9464"
    assert settings.status_token is None


def test_secret_variables_are_not_settings_and_are_allowed() -> None:
    assert load_settings({"SYNTH_SECRET_SHOP_PASSWORD": "x"}).listen_port == 9464


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SYNTH_LISTN": "x"}, "environment variable SYNTH_LISTN is not a synth setting; known settings:"),
        ({"SYNTH_LISTEN": "nope"}, "environment variable SYNTH_LISTEN: Value error, must be host:port"),
        ({"SYNTH_SCREENSHOT": "gif"}, "environment variable SYNTH_SCREENSHOT: Input should be 'jpeg', 'png' or 'off'"),
        ({"SYNTH_SPOOL_MAX_MB": "0"}, "environment variable SYNTH_SPOOL_MAX_MB: Input should be greater than"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert str(info.value).startswith(message)
