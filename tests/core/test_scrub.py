from agent.scrub import MASK, Scrubber


def test_scrub_replaces_registered_values_and_their_url_encodings() -> None:
    s = Scrubber()
    s.register("p@ss word!")
    assert s.scrub("pw=p@ss word! and p%40ss%20word%21 and p%40ss+word%21") == f"pw={MASK} and {MASK} and {MASK}"


def test_scrub_ignores_tiny_values_that_would_mangle_text() -> None:
    s = Scrubber()
    s.register("a")
    assert s.scrub("a cat") == "a cat"
