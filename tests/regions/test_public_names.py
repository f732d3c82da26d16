import agent.regions


def test_region_package_exports_are_pinned() -> None:
    assert agent.regions.__all__ == [
        "JourneySchedule",
        "RegionCheck",
        "RegionConfig",
        "check_region_file",
        "load_region",
        "region_files",
        "region_path",
    ]
    for name in agent.regions.__all__:
        assert hasattr(agent.regions, name)
