import agent


def test_public_api_is_pinned() -> None:
    assert agent.__all__ == [
        "Journey",
        "JourneyContext",
        "JourneyResult",
        "StepResult",
        "__version__",
        "journey",
        "step",
    ]
    assert agent.__all__ == sorted(agent.__all__)
    for name in agent.__all__:
        assert hasattr(agent, name)
