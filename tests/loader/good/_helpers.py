raise RuntimeError("files starting with _ are helpers, never loaded as journeys")
